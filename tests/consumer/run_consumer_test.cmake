# Installs the built project into a scratch prefix, then configures, builds
# and runs the consumer project against it — as a user would.
include(${SOURCE_DIR}/tests/consumer/install_into_prefix.cmake)

run_step(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer" -B "${WORK_DIR}/build"
         -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix};${PREFIX_PATH}")
run_step(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run_step("${WORK_DIR}/build/consumer")
