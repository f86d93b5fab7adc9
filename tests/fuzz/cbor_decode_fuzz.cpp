// Strict CBOR reader: anything accepted must re-encode to exactly the input bytes (the reader
// only accepts the writer's canonical form), and every rejection carries MalformedCbor and a
// byte offset inside the input.
#include <tenuo/cbor.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in{data, size};
  auto v = tenuo::cbor::decode(in);
  if (!v) {
    const auto& e = v.error();
    if (e.code != tenuo::ErrorCode::MalformedCbor) std::abort();
    if (!e.byte_offset || *e.byte_offset > size) std::abort();
    return 0;
  }
  const auto out = tenuo::cbor::encode(*v);
  if (!std::ranges::equal(out, in)) std::abort();
  // Decoding the re-encoding gives an equal tree.
  auto again = tenuo::cbor::decode(out);
  if (!again || !(*again == *v)) std::abort();
  return 0;
}
