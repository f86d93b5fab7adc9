#pragma once
// Constraint sets read straight from CBOR bytes that cbor::validate() has already accepted (a
// payload's tool entries and constraint_bounds): the set map, its "constraints" map and each
// [type_id, value] pair are read from the bytes; only each constraint's value becomes a tree.

#include <tenuo/bytes.hpp>
#include <tenuo/constraint.hpp>
#include <tenuo/result.hpp>

namespace tenuo::detail {

// Same rules, errors and messages as constraint_set_from_cbor(), which is this function over
// the value's canonical encoding. `validated` must have passed cbor::validate().
[[nodiscard]] Result<ConstraintSet> constraint_set_from_validated(ByteView validated);

}  // namespace tenuo::detail
