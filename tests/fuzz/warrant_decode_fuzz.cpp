// Oracle for warrant decoding: whatever decode_warrant() accepts carries a signature that an
// independent check (PublicKey::verify over "tenuo-warrant-v1" || 01 || payload) accepts, its
// payload re-encodes to exactly the signed bytes, and its envelope to exactly the input. The same
// holds for every warrant read_warrants() gets out of any text form, stack or single.
#include <tenuo/cbor.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/warrant.hpp>

#include "detail/crypto.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(tenuo::ByteView a, tenuo::ByteView b) { return std::ranges::equal(a, b); }

void check_warrant(const tenuo::Warrant& w) {
  const tenuo::Payload& p = w.payload();
  // Authentic: the issuer's key verifies the signature over the exact payload bytes.
  check(p.issuer.verify(tenuo::warrant_signing_message(w.payload_bytes()), w.signature()));
  // Canonical: the payload and the envelope re-encode to the bytes that were signed/received.
  check(same(tenuo::encode_payload(p), w.payload_bytes()));
  const tenuo::Bytes env = tenuo::cbor::encode(tenuo::cbor::Value::array(
      {tenuo::cbor::Value::integer(1), tenuo::cbor::Value::bytes(w.payload_bytes()),
       tenuo::cbor::Value::array(
           {tenuo::cbor::Value::integer(1), tenuo::cbor::Value::bytes(tenuo::ByteView(w.signature()))})}));
  check(same(env, w.envelope_bytes()));
  check(w.envelope_bytes().size() <= tenuo::kMaxWarrantBytes);
  check(same(tenuo::detail::sha256(w.payload_bytes()), w.payload_hash()));
  // Valid by the decoder's own rules.
  check(tenuo::validate_payload(p).has_value());
  check(p.version == 1 && p.tools.size() <= tenuo::kMaxToolsPerWarrant);
  // Its text form reads back to the same bytes.
  const std::vector<tenuo::Warrant> one{w};
  const std::string text = tenuo::to_text(one, tenuo::TextFormat::Base64);
  auto back = tenuo::read_warrants(tenuo::as_bytes(text));
  check(back.has_value() && back->size() == 1 && same(back->front().envelope_bytes(), w.envelope_bytes()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const tenuo::ByteView in(data, size);
  if (auto w = tenuo::decode_warrant(in)) {
    check(same(w->envelope_bytes(), in));
    check_warrant(*w);
    auto many = tenuo::decode_warrants(in);
    check(many.has_value() && many->size() == 1 && same(many->front().envelope_bytes(), in));
  }
  if (auto ws = tenuo::decode_warrants(in)) {
    check(!ws->empty() && ws->size() <= tenuo::kMaxChainLength);
    for (const auto& w : *ws) check_warrant(w);
    if (ws->size() > 1) check(same(tenuo::encode_stack(*ws), in));
  }
  if (auto ws = tenuo::read_warrants(in)) {
    check(!ws->empty());
    for (const auto& w : *ws) check_warrant(w);
  }
  return 0;
}
