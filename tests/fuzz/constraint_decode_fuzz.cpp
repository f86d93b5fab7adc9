// Oracle for the constraint codec: whatever CBOR the strict reader accepts and the constraint
// decoder accepts must re-encode to the identical bytes, and must survive the JSON form
// unchanged. Top-level maps are tried as ConstraintSets, everything else as one Constraint.
#include <tenuo/cbor.hpp>
#include <tenuo/constraint.hpp>
#include <tenuo/limits.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const tenuo::ByteView in(data, size);
  tenuo::cbor::DecodeOptions opts;
  opts.max_depth = tenuo::kMaxPayloadCborDepth;
  auto v = tenuo::cbor::decode(in, opts);
  if (!v) return 0;

  if (v->is(tenuo::cbor::Kind::Map)) {
    auto s = tenuo::constraint_set_from_cbor(*v);
    if (!s) return 0;
    const auto again = tenuo::cbor::encode(tenuo::to_cbor(*s));
    check(again.size() == size && std::equal(again.begin(), again.end(), data));
    auto j = tenuo::constraint_set_from_json_text(tenuo::to_json_text(*s));
    check(j.has_value() && *j == *s);
    return 0;
  }

  auto c = tenuo::constraint_from_cbor(*v);
  if (!c) return 0;
  const auto again = tenuo::cbor::encode(tenuo::to_cbor(*c));
  check(again.size() == size && std::equal(again.begin(), again.end(), data));
  check(c->depth() <= tenuo::kMaxConstraintDepth);
  auto j = tenuo::constraint_from_json_text(tenuo::to_json_text(*c));
  check(j.has_value() && *j == *c);
  (void)tenuo::display(*c);
  return 0;
}
