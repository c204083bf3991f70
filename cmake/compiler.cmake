# SPDX-License-Identifier: Apache-2.0
# Compile options scoped to this project's targets (link ec2net-compile-options).
add_library(ec2net-compile-options INTERFACE)
target_compile_options(ec2net-compile-options INTERFACE
  -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes
  -Wno-unused-parameter -fno-strict-aliasing -D_GNU_SOURCE)
target_include_directories(ec2net-compile-options INTERFACE
  "${CMAKE_SOURCE_DIR}/common" "${CMAKE_BINARY_DIR}")
if(ENABLE_WERROR)
  target_compile_options(ec2net-compile-options INTERFACE -Werror)
endif()
if(ENABLE_SANITIZERS)
  target_compile_options(ec2net-compile-options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(ec2net-compile-options INTERFACE -fsanitize=address,undefined)
endif()
if(ENABLE_FUZZING)
  # Coverage instrumentation for libFuzzer in everything the fuzz targets link.
  target_compile_options(ec2net-compile-options INTERFACE -fsanitize=fuzzer-no-link)
endif()
