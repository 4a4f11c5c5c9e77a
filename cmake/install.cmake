# `cmake --install`: the libraries, their headers and a CMake package, so that
# another project (examples/embed) can `find_package(cimvp)` and link
# cimvp::platform, cimvp::compiler, ... Headers keep the repository layout
# under include/cimvp ("platform/soc.h"), as inside this tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(cimvp_libraries cimvp_common cimvp_config cimvp_firmware cimvp_models cimvp_platform cimvp_nn cimvp_compiler)
list(APPEND cimvp_libraries cimvp_flow cimvp_rl cimvp_rl_evaluation)
foreach(lib ${cimvp_libraries})
  string(REPLACE "cimvp_" "" short ${lib})
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${short})
  target_include_directories(${lib} PUBLIC $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}>
                                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/cimvp>)
  # SystemC runs nothing unless every translation unit agrees on this.
  target_compile_definitions(${lib} INTERFACE SC_DEFAULT_WRITER_POLICY=SC_MANY_WRITERS)
  target_compile_features(${lib} INTERFACE cxx_std_17)
  # A sanitizer build's libraries call the sanitizer runtimes: whoever links
  # them (examples/embed against an asan install) must link those too.
  if(CIMVP_SANITIZE)
    target_link_options(${lib} INTERFACE -fsanitize=address,undefined)
  endif()
endforeach()

install(TARGETS ${cimvp_libraries} cimvp EXPORT cimvpTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(dir common config firmware models platform nn compiler flow rl)
  if(EXISTS ${CMAKE_SOURCE_DIR}/${dir})
    install(DIRECTORY ${CMAKE_SOURCE_DIR}/${dir} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cimvp
            FILES_MATCHING PATTERN "*.h")
  endif()
endforeach()
install(DIRECTORY ${CMAKE_SOURCE_DIR}/configs/arch DESTINATION ${CMAKE_INSTALL_DATADIR}/cimvp/configs)

set(cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/cimvp)
install(EXPORT cimvpTargets NAMESPACE cimvp:: DESTINATION ${cmake_dir})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/cimvpConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/cimvpConfig.cmake INSTALL_DESTINATION ${cmake_dir})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cimvpConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cimvpConfig.cmake ${CMAKE_BINARY_DIR}/cimvpConfigVersion.cmake
        DESTINATION ${cmake_dir})
