# Fails when a header in include/al/strategy/ is missing from
# include/al/strategies.hpp: the umbrella is what registers every built-in
# word with the text front end, so a word left out would parse nowhere.
file(GLOB headers RELATIVE ${SOURCE}/include ${SOURCE}/include/al/strategy/*.hpp)
file(READ ${SOURCE}/include/al/strategies.hpp umbrella)
set(missing "")
foreach(header IN LISTS headers)
  string(FIND "${umbrella}" "#include <${header}>" at)
  if(at EQUAL -1)
    list(APPEND missing ${header})
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "include/al/strategies.hpp does not include: ${missing}; add "
                      "#include <HEADER> for each, so that its word is registered")
endif()
list(LENGTH headers count)
message(STATUS "include/al/strategies.hpp includes all ${count} strategy headers")
