# A comparison run as 3 shards, in 3 separate processes (one of them killed
# and started again), gives the same report, byte for byte, as the same
# comparison run in one process; before the last shard has run, `alpipe
# report` lists the runs that are missing and exits non-zero.
#   cmake -DALPIPE=<alpipe> -DWORK=<scratch folder> -P compare_shards.cmake
file(REMOVE_RECURSE ${WORK})
set(pipelines
  "initial(random, 20) | train.epochs(3) | cycle(2, query(entropy, 20))"
  "initial(random, 20) | train.epochs(3) | cycle(2, query(margin, 20))")
set(common --data blobs --seeds 0,1,2 --threads 1 --parallel 1 --quiet)

function(alpipe_compare out)
  execute_process(COMMAND ${ALPIPE} compare ${pipelines} ${common} --out ${out} ${ARGN}
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE error)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "alpipe compare ${ARGN} failed (${status}):\n${output}${error}")
  endif()
  set(last_output "${output}" PARENT_SCOPE)
endfunction()

alpipe_compare(${WORK}/whole)

# Shard 1 first, killed after a moment (mid-run or not: either way it must resume).
execute_process(COMMAND ${ALPIPE} compare ${pipelines} ${common} --out ${WORK}/sharded --shard 1/3
                TIMEOUT 1 RESULT_VARIABLE killed OUTPUT_QUIET ERROR_QUIET)
message(STATUS "shard 1/3 stopped after at most 1 s: ${killed}")
alpipe_compare(${WORK}/sharded --shard 0/3)
if(NOT last_output MATCHES "shard 0/3 finished; [0-9]+ run\\(s\\) of .* left to other shards")
  message(FATAL_ERROR "shard 0/3 should say that other shards have runs left:\n${last_output}")
endif()

execute_process(COMMAND ${ALPIPE} report ${WORK}/sharded
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE error)
if(status EQUAL 0 OR NOT error MATCHES "is not finished: [0-9]+ run\\(s\\) missing or unfinished:.*-seed[0-9] \\(not started\\)")
  message(FATAL_ERROR "alpipe report on a comparison with shards left should list the missing runs and fail (status ${status}):\n${output}${error}")
endif()
if(EXISTS ${WORK}/sharded/report.md)
  message(FATAL_ERROR "a report was written before every shard had run")
endif()

alpipe_compare(${WORK}/sharded --shard 1/3)
alpipe_compare(${WORK}/sharded --shard 2/3)
if(NOT last_output MATCHES "report.md")
  message(FATAL_ERROR "the last shard should write the report:\n${last_output}")
endif()

file(READ ${WORK}/whole/report.md whole)
file(READ ${WORK}/sharded/report.md sharded)
if(NOT whole STREQUAL sharded)
  message(FATAL_ERROR "the sharded comparison's report differs from the whole one's: compare ${WORK}/whole/report.md and ${WORK}/sharded/report.md")
endif()
execute_process(COMMAND ${ALPIPE} report ${WORK}/sharded RESULT_VARIABLE status OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "alpipe report on the finished sharded comparison failed")
endif()
message(STATUS "3 shards, one killed and resumed: the same report as one process")
file(REMOVE_RECURSE ${WORK})
