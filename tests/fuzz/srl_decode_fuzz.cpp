// Signed Revocation List decoding (WIRE.md §13). Oracle: no crash; every failure is 1801; a
// decoded list re-encodes to a payload that decodes back to the same fields (so the bytes the
// signature is checked over are a fixed point), and verification against its own issuer only
// ever answers ok or 1801.
#include <tenuo/bytes.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/srl.hpp>

#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const tenuo::ByteView in{data, size};
  (void)tenuo::srl_bytes_from_any(in);
  auto r = tenuo::decode_srl(in);
  if (!r) {
    if (r.error().code != tenuo::ErrorCode::SrlInvalid) std::abort();
    return 0;
  }
  const tenuo::Bytes payload = tenuo::encode_srl_payload(r->payload);
  tenuo::Bytes rebuilt;
  tenuo::cbor::write_head(rebuilt, 5, 2);
  tenuo::cbor::write_text(rebuilt, "payload");
  rebuilt.insert(rebuilt.end(), payload.begin(), payload.end());
  tenuo::cbor::write_text(rebuilt, "signature");
  tenuo::cbor::write_head(rebuilt, 4, 2);
  tenuo::cbor::write_int(rebuilt, 1);
  tenuo::cbor::write_bytes(rebuilt, r->signature);
  auto again = tenuo::decode_srl(rebuilt);
  if (!again || !(again->payload == r->payload) || again->signature != r->signature) std::abort();
  if (tenuo::encode_srl_payload(again->payload) != payload) std::abort();
  const std::vector<tenuo::PublicKey> issuer{r->payload.issuer};
  auto v = tenuo::verify_srl(in, issuer, r->payload.version);
  if (!v && v.error().code != tenuo::ErrorCode::SrlInvalid) std::abort();
  auto w = tenuo::verify_srl(rebuilt, issuer);
  if (v.has_value() != w.has_value()) std::abort();  // the signature covers the re-encoding
  return 0;
}
