#pragma once
// Evaluating a constraint against an argument value (WIRE.md §11).
// Thread-safety: evaluate() is safe to call concurrently on shared constraints and values. The
// shared state it reaches — the compiled-regex cache (Regex), the CEL compile cache and the
// CEL regex cache — is guarded by mutexes; glob, CIDR, URL and path matching keep no state.
// Match is a plain value.

#include <tenuo/constraint.hpp>
#include <tenuo/export.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>

#include <string>

namespace tenuo {

// The outcome of one evaluation: satisfied, or not with a plain-words reason
// ("path /etc/passwd normalises to /etc/passwd, outside /tmp").
struct Match {
  bool ok = false;
  std::string reason;  // empty when ok
};

// Evaluates `c` on `value`. A value the constraint does not accept gives Match{false, why};
// an evaluation error (invalid glob/regex/CIDR/URL at match time, CEL failure, Unknown type,
// empty All) gives an Error with the code of WIRE.md §11 (usually ConstraintViolation).
[[nodiscard]] TENUO_EXPORT Result<Match> evaluate(const Constraint& c, const Value& value);

}  // namespace tenuo
