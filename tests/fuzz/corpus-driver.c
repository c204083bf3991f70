/* SPDX-License-Identifier: Apache-2.0 */
/* Runs a fuzz target over every file of its committed corpus, so that builds without
 * libFuzzer (gcc, valgrind) still check every seed and every past crash. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char *argv[]) {
        int n = 0;

        for (int i = 1; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                struct dirent *de;

                if (!d) {
                        perror(argv[i]);
                        return 1;
                }
                while ((de = readdir(d))) {
                        char path[4096], *buf;
                        FILE *f;
                        long size;

                        if (de->d_name[0] == '.')
                                continue;
                        snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
                        f = fopen(path, "rb");
                        if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0) {
                                perror(path);
                                return 1;
                        }
                        rewind(f);
                        buf = malloc((size_t) size + 1);
                        if (!buf || fread(buf, 1, (size_t) size, f) != (size_t) size)
                                return 1;
                        fclose(f);
                        LLVMFuzzerTestOneInput((const uint8_t *) buf, (size_t) size);
                        free(buf);
                        n++;
                }
                closedir(d);
        }
        printf("%d inputs ran clean\n", n);
        return n > 0 ? 0 : 1;
}
