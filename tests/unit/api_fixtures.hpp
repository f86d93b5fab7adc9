#pragma once
// Shared fixtures for the tests of the C++ idiom layer (issue 8 parity list): a fixed clock, fresh
// keys, the SDK's infrastructure warrant, code assertions and scoped environment variables.
#include <tenuo/arguments.hpp>
#include <tenuo/audit_log.hpp>
#include <tenuo/authorizer.hpp>
#include <tenuo/bound_warrant.hpp>
#include <tenuo/builders.hpp>
#include <tenuo/config.hpp>
#include <tenuo/constraints.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/explain.hpp>
#include <tenuo/guard.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/warrant_scope.hpp>
#include <tenuo/warrant_use.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <unistd.h>

namespace api_test {

using namespace tenuo;
using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'750'000'000;

inline SigningKey fresh() { return SigningKey::generate().value(); }

template <class T>
void expect_code(const Result<T>& r, ErrorCode code) {
  REQUIRE_FALSE(r.has_value());
  CHECK_MESSAGE(r.error().code == code, r.error().message);
}

inline Warrant infra_warrant(const SigningKey& issuer, const PublicKey& holder) {
  auto w = mint_builder()
               .capability("manage_infrastructure",
                           {{"cluster", Pattern("staging-*")}, {"replicas", Range::max_value(15)}})
               .holder(holder)
               .ttl(3600s)
               .at(kNow)
               .mint(issuer);
  REQUIRE_MESSAGE(w.has_value(), w.error().message);
  return *w;
}

struct EnvGuard {  // sets variables for one test and clears them afterwards
  std::vector<std::string> names;
  void set(const std::string& n, const std::string& v) {
    ::setenv(n.c_str(), v.c_str(), 1);
    names.push_back(n);
  }
  ~EnvGuard() {
    for (const auto& n : names) ::unsetenv(n.c_str());
  }
};

}  // namespace api_test

using namespace tenuo;
using namespace std::chrono_literals;
using namespace api_test;
