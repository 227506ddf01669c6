# cohort_add_library(<name> INCLUDE_DIR <dir> [SOURCES ...])
# Defines the static library cohort_<name> with the alias and export name cohort::<name>, its
# public headers in <dir> (installed under the include prefix), C++20, and the project's warning
# and sanitizer flags for its own sources only.
function(cohort_add_library name)
  cmake_parse_arguments(LIB "" "INCLUDE_DIR" "SOURCES" ${ARGN})
  add_library(cohort_${name} STATIC ${LIB_SOURCES})
  add_library(cohort::${name} ALIAS cohort_${name})
  set_target_properties(cohort_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME cohort_${name})
  target_include_directories(cohort_${name} PUBLIC
    $<BUILD_INTERFACE:${LIB_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(cohort_${name} PRIVATE $<BUILD_INTERFACE:cohort_build_flags>)
  target_compile_features(cohort_${name} PUBLIC cxx_std_20)
endfunction()
