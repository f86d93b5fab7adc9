#pragma once
// Attenuation: may `child` replace `parent` without widening anything? (WIRE.md §12)
// Thread-safety: pure functions of their arguments; safe to call concurrently on shared
// constraints. The only shared state reached is the CEL compile cache (Cel pairs), which is
// guarded by a mutex.

#include <tenuo/constraint.hpp>
#include <tenuo/export.hpp>
#include <tenuo/result.hpp>

namespace tenuo {

// Ok when every value `child` accepts is accepted by `parent` per the reference's rules (§12.2).
// Errors: InvalidAttenuation (1502), CapabilityExpansion (1503) or ConstraintViolation (1501)
// exactly as §12.2/§17.2 assign them, with a message naming what would widen.
[[nodiscard]] TENUO_EXPORT Result<void> check_attenuation(const Constraint& parent,
                                                          const Constraint& child);
// ConstraintSet rules (§12.1), then each field pair.
[[nodiscard]] TENUO_EXPORT Result<void> check_attenuation(const ConstraintSet& parent,
                                                          const ConstraintSet& child);

}  // namespace tenuo
