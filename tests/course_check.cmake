# The course check must fail when a page and its CSV disagree. On a copy of
# the course (pages, CSVs, plots), each damage below must make
# `tools/course check` fail with the message that names it, and the intact
# copy must pass.
#   cmake -DSOURCE=<repository> -DWORK=<scratch folder> -DALPIPE=<alpipe> -P course_check.cmake

function(copy_course)
  file(REMOVE_RECURSE ${WORK})
  file(MAKE_DIRECTORY ${WORK}/docs ${WORK}/tools)
  file(COPY ${SOURCE}/docs/course ${SOURCE}/docs/ja ${SOURCE}/docs/img DESTINATION ${WORK}/docs)
endfunction()

# Runs the check on the copy; `expect` is "pass" or a message the failure must print.
function(check_course what expect)
  execute_process(COMMAND ${SOURCE}/tools/course check --root ${WORK} --alpipe ${ALPIPE}
                  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(expect STREQUAL "pass")
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "${what}: the check failed on an intact copy:\n${out}${err}")
    endif()
  elseif(status EQUAL 0)
    message(FATAL_ERROR "${what}: the check passed; it should have failed")
  elseif(NOT err MATCHES "${expect}")
    message(FATAL_ERROR "${what}: the check failed without saying '${expect}':\n${err}")
  else()
    message(STATUS "${what}: refused as it should be")
  endif()
endfunction()

copy_course()
check_course("intact copy" pass)

# One number of a generated table edited by hand (the first "12.34 ± " cell).
file(GLOB pages ${WORK}/docs/course/*.md)
set(edited FALSE)
foreach(page IN LISTS pages)
  file(READ ${page} text)
  string(REGEX MATCH "\\| [0-9]+\\.[0-9][0-9] ± " cell "${text}")
  if(cell)
    string(REGEX REPLACE "\\| ([0-9]+)\\.[0-9][0-9] ± " "| \\1.99 ± " damaged "${text}")
    if(NOT damaged STREQUAL text)
      file(WRITE ${page} "${damaged}")
      set(edited TRUE)
      break()
    endif()
  endif()
endforeach()
if(NOT edited)
  message(FATAL_ERROR "no course page has a table to edit")
endif()
check_course("a table number edited" "differs from what its CSV gives")

# A number in a committed CSV changed: the page no longer matches.
copy_course()
set(csv ${WORK}/docs/img/uncertainty-diversity.csv)
file(READ ${csv} text)
string(REGEX REPLACE ",0\\.([0-9])" ",0.9\\1" damaged "${text}")
file(WRITE ${csv} "${damaged}")
check_course("a CSV number changed" "differs from")

# A Japanese page missing, and a command changed in one.
copy_course()
file(REMOVE ${WORK}/docs/ja/02-uncertainty-diversity.md)
check_course("a missing Japanese page" "no Japanese counterpart docs/ja/02-uncertainty-diversity.md")
copy_course()
file(READ ${WORK}/docs/ja/02-uncertainty-diversity.md text)
string(REPLACE "build/examples/02-uncertainty-diversity" "build/examples/02-uncertainty-diversity --seeds 9" damaged "${text}")
file(WRITE ${WORK}/docs/ja/02-uncertainty-diversity.md "${damaged}")
check_course("a changed command" "code block [0-9]+ differs")
file(REMOVE_RECURSE ${WORK})
