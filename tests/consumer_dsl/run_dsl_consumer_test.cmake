# Installs the built project into a scratch prefix, then configures, builds
# and runs the DSL-only consumer against it with LibTorch made unfindable,
# and checks the pkg-config file.
include(${SOURCE_DIR}/tests/consumer/install_into_prefix.cmake)

run_step(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer_dsl" -B "${WORK_DIR}/build"
         -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}"
         -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON)
run_step(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run_step("${WORK_DIR}/build/dsl_consumer")
if(EXISTS "${prefix}/share/doc/alpipe/LICENSE")
  message("dsl consumer: the license is installed")
endif()
find_program(pkg_config pkg-config)
file(GLOB_RECURSE pc_file "${prefix}/*/alpipe-dsl.pc")
if(pkg_config AND pc_file)
  get_filename_component(pc_dir "${pc_file}" DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
  run_step(${pkg_config} --libs alpipe-dsl)
endif()
