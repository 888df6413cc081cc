# Compiles one source with -fsyntax-only and checks the outcome:
#   cmake -DCXX=<compiler> -DSTD=<17|20|14> -DINCLUDE=<dir> -DSOURCE=<file>
#         -DEXPECT=<pass|fail> [-DREGEX=<must appear in the output>]
#         [-DMAX_ERRORS=<n>] [-DFLAGS=<;-list>] -P compile_check.cmake
# A compile-failure test needs REGEX so that it fails for the intended
# reason, not for an unrelated error.
execute_process(
  COMMAND "${CXX}" -std=c++${STD} -fsyntax-only -Wall -Wextra -Werror -Wpedantic ${FLAGS} -x c++
          "-I${INCLUDE}" "${SOURCE}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(EXPECT STREQUAL "pass" AND NOT rc EQUAL 0)
  message(FATAL_ERROR "expected ${SOURCE} to compile, it did not:\n${out}")
endif()
if(EXPECT STREQUAL "fail" AND rc EQUAL 0)
  message(FATAL_ERROR "expected ${SOURCE} NOT to compile, it did")
endif()
if(DEFINED REGEX AND NOT out MATCHES "${REGEX}")
  message(FATAL_ERROR "output of ${SOURCE} lacks /${REGEX}/:\n${out}")
endif()
if(DEFINED MAX_ERRORS)
  string(REGEX MATCHALL "error:" errs "${out}")
  list(LENGTH errs n)
  if(n GREATER MAX_ERRORS)
    message(FATAL_ERROR "${SOURCE}: ${n} errors, at most ${MAX_ERRORS} wanted:\n${out}")
  endif()
endif()
message(STATUS "${SOURCE}: ${EXPECT} as expected")
