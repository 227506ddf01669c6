# Project-wide compile options, applied per target so embedding projects are not affected.
add_library(cohort_build_flags INTERFACE)
target_compile_options(cohort_build_flags INTERFACE -Wall -Wextra -Wpedantic)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 reports false -Wrestrict overlaps inside std::string concatenation at -O2/-O3
  # (GCC bug 105329, fixed in 13); the warning is noise there, not a finding.
  target_compile_options(cohort_build_flags INTERFACE -Wno-restrict)
endif()
if(COHORT_WERROR)
  target_compile_options(cohort_build_flags INTERFACE -Werror)
endif()
if(COHORT_SANITIZE)
  # _GLIBCXX_ASSERTIONS: an out-of-range operator[] on a standard container aborts the test
  # instead of reading a neighbour's memory that ASan may not see as poisoned.
  target_compile_options(cohort_build_flags INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
    -D_GLIBCXX_ASSERTIONS)
  target_link_options(cohort_build_flags INTERFACE -fsanitize=address,undefined)
endif()
if(COHORT_SANITIZE_THREAD)
  if(COHORT_SANITIZE)
    message(FATAL_ERROR "COHORT_SANITIZE_THREAD and COHORT_SANITIZE cannot be combined")
  endif()
  target_compile_options(cohort_build_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(cohort_build_flags INTERFACE -fsanitize=thread)
endif()
if(COHORT_FUZZ)
  # Coverage for libFuzzer in every cohort library; the fuzz targets link the fuzzer itself.
  target_compile_options(cohort_build_flags INTERFACE -fsanitize=fuzzer-no-link)
endif()
