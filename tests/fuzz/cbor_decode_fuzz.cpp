// Strict CBOR reader: anything accepted must re-encode to exactly the input bytes (the reader
// only accepts the writer's canonical form), and every rejection carries MalformedCbor and a
// byte offset inside the input. validate_and_split (the non-building pass that splits warrant
// stacks) must agree exactly: same verdict, same error and offset, and each top-level element's
// range equal to that element's encoding.
#include <tenuo/cbor.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in{data, size};
  auto v = tenuo::cbor::decode(in);
  auto split = tenuo::cbor::validate_and_split(in);
  if (v.has_value() != split.has_value()) std::abort();
  if (!v) {
    const auto& e = v.error();
    if (e.code != tenuo::ErrorCode::MalformedCbor) std::abort();
    if (!e.byte_offset || *e.byte_offset > size) std::abort();
    if (split.error().byte_offset != e.byte_offset || split.error().message != e.message) std::abort();
    return 0;
  }
  if (v->is(tenuo::cbor::Kind::Array)) {
    const auto& items = v->as_array();
    if (split->size() != items.size()) std::abort();
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!std::ranges::equal(tenuo::cbor::encode(items[i]), (*split)[i])) std::abort();
  } else if (!split->empty()) {
    std::abort();
  }
  const auto out = tenuo::cbor::encode(*v);
  if (!std::ranges::equal(out, in)) std::abort();
  // Decoding the re-encoding gives an equal tree.
  auto again = tenuo::cbor::decode(out);
  if (!again || !(*again == *v)) std::abort();
  return 0;
}
