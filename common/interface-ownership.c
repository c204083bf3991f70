/* SPDX-License-Identifier: Apache-2.0 */
#include "interface-ownership.h"
#include "macro.h"

RemoveVerdict interface_remove_verdict(const RemoveFacts *f) {
        const char *removed = f->removed_mac ?: "", *owner = f->owner_mac ?: "";
        const char *present = f->present_mac ?: "";

        /* Both known and different: someone else's files, whatever holds the name. */
        if (removed[0] && owner[0] && !streq(removed, owner))
                return REMOVE_NONE_NOT_OWNER;
        if (f->name_in_use) {
                /* The kernel frees a name before it announces the removal: a link that has
                 * it now is another one (or the same ENI attached again). Its units are its
                 * own; the files go only when they are provably the departed interface's
                 * and not the present link's. */
                if (removed[0] && owner[0] && !streq(present, owner))
                        return REMOVE_FILES_ONLY;
                return REMOVE_NONE_NAME_IN_USE;
        }
        return REMOVE_ALL;
}

const char *remove_verdict_to_string(RemoveVerdict v) {
        static const char *const table[] = {
                [REMOVE_ALL] = "remove all",
                [REMOVE_FILES_ONLY] = "remove files only",
                [REMOVE_NONE_NOT_OWNER] = "not the owner",
                [REMOVE_NONE_NAME_IN_USE] = "name in use",
        };

        return (unsigned) v < ELEMENTSOF(table) ? table[v] : "?";
}
