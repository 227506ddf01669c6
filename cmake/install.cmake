# Installs the libraries, their headers under cohort/, and an exported CMake package.
include(CMakePackageConfigHelpers)

install(TARGETS cohort_memory cohort_engine_config cohort_engine cohort_space cohort_distributed
  cohort_models cohort_tools
  EXPORT cohortTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY memory/include/ engine/include/ space/include/ distributed/include/
  models/include/ tools/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# A plugin's compile interface: the headers and C++20, no library (see cohort_enable_plugins).
add_library(cohort_plugin INTERFACE)
add_library(cohort::plugin ALIAS cohort_plugin)
set_target_properties(cohort_plugin PROPERTIES EXPORT_NAME plugin)
target_include_directories(cohort_plugin INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/engine/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/memory/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/space/include>
  $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/engine/generated/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(cohort_plugin INTERFACE cxx_std_20)
install(TARGETS cohort_plugin EXPORT cohortTargets)
if(COHORT_BUILD_CLI)
  add_subdirectory(cli)
endif()
install(EXPORT cohortTargets NAMESPACE cohort:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cohort)

configure_package_config_file(cmake/cohortConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/cohortConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cohort)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cohortConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cohortConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/cohortConfigVersion.cmake
              ${CMAKE_CURRENT_SOURCE_DIR}/cmake/cohortPlugins.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cohort)
