#pragma once
// How a test that cannot run on this host says so. ctest reports such a test as
// skipped, not passed (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt).
#include <iostream>
#include <string>

namespace faultline::testing {

inline void skip_test(const std::string& reason) {
  std::cout << "faultline-test-skipped: " << reason << std::endl;
}

}  // namespace faultline::testing
