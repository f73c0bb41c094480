# Initial cache for a build from device-bundle/ (made by tools/device-bundle),
# on a machine without Debian's -dev packages:
#   cmake -C cmake/device-bundle.cmake -S . -B build-device ...
# Each package is named by its own folder (<name>_DIR, or the library and
# include folder for zlib and libpng), so that nothing else on the machine is
# searched for it. LibTorch is not here: it comes from CMAKE_PREFIX_PATH
# (tools/device-check passes PyTorch's own). Gloo's headers are chosen by
# tools/device-check, which knows whether that LibTorch has its own.
get_filename_component(alpipe_bundle "${CMAKE_CURRENT_LIST_DIR}/../device-bundle" ABSOLUTE)
if(NOT EXISTS "${alpipe_bundle}/STAMP")
  message(FATAL_ERROR "${alpipe_bundle} is missing or incomplete: run tools/device-bundle on a Debian machine first")
endif()

set(Boost_DIR "${alpipe_bundle}/usr/lib/x86_64-linux-gnu/cmake/Boost-1.74.0" CACHE PATH "")
set(range-v3_DIR "${alpipe_bundle}/usr/lib/cmake/range-v3" CACHE PATH "")
set(fmt_DIR "${alpipe_bundle}/usr/lib/cmake/fmt" CACHE PATH "")
set(nlohmann_json_DIR "${alpipe_bundle}/usr/share/cmake/nlohmann_json" CACHE PATH "")
set(CLI11_DIR "${alpipe_bundle}/usr/share/cmake/CLI11" CACHE PATH "")
set(Catch2_DIR "${alpipe_bundle}/usr/lib/cmake/Catch2" CACHE PATH "")
set(ZLIB_INCLUDE_DIR "${alpipe_bundle}/usr/include" CACHE PATH "")
set(ZLIB_LIBRARY "${alpipe_bundle}/lib/libz.so" CACHE FILEPATH "")
set(PNG_PNG_INCLUDE_DIR "${alpipe_bundle}/usr/include" CACHE PATH "")
set(PNG_LIBRARY "${alpipe_bundle}/lib/libpng16.so.16" CACHE FILEPATH "")
# The bundle holds fmt's headers, not a compiled libfmt.
set(ALPIPE_FMT_HEADER_ONLY ON CACHE BOOL "")
