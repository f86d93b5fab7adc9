// Approval decoding (WIRE.md §5.6, §9.1): the gate map, SignedApproval, ApprovalPayload and the
// carried text forms. Oracle: no crash; failures carry the documented codes; whatever decodes
// re-encodes to bytes that decode to the same value and re-encode identically.
#include <tenuo/approval.hpp>
#include <tenuo/bytes.hpp>

#include <cstdint>
#include <cstdlib>

namespace {

void check_code(const tenuo::Error& e, std::initializer_list<tenuo::ErrorCode> allowed) {
  for (auto c : allowed)
    if (e.code == c) return;
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using tenuo::ErrorCode;
  const tenuo::ByteView in{data, size};

  if (auto g = tenuo::decode_approval_gates(in)) {
    const tenuo::Bytes enc = tenuo::encode_approval_gates(*g);
    auto again = tenuo::decode_approval_gates(enc);
    if (!again || !(*again == *g) || tenuo::encode_approval_gates(*again) != enc) std::abort();
    tenuo::Object args;
    args.push_back(tenuo::Member{"path", tenuo::Value("/data/x")});
    for (const auto& [tool, gate] : *g) (void)tenuo::evaluate_gates(*g, tool, args);
  } else {
    check_code(g.error(), {ErrorCode::MalformedCbor});
  }

  if (auto a = tenuo::decode_signed_approval(in)) {
    const tenuo::Bytes enc = tenuo::encode_signed_approval(*a);
    auto again = tenuo::decode_signed_approval(enc);
    if (!again || again->version != a->version || again->payload != a->payload ||
        !(again->approver_key == a->approver_key) || again->signature != a->signature ||
        tenuo::encode_signed_approval(*again) != enc)
      std::abort();
  } else {
    check_code(a.error(), {ErrorCode::ApprovalInvalid});
  }

  if (auto p = tenuo::decode_approval_payload(in)) {
    const tenuo::Bytes enc = tenuo::encode_approval_payload(*p);
    auto again = tenuo::decode_approval_payload(enc);
    if (!again || again->request_hash != p->request_hash || again->nonce != p->nonce ||
        again->external_id != p->external_id || again->approved_at != p->approved_at ||
        again->expires_at != p->expires_at || again->extensions != p->extensions ||
        tenuo::encode_approval_payload(*again) != enc)
      std::abort();
  } else {
    check_code(p.error(), {ErrorCode::UnsupportedApprovalVersion, ErrorCode::ApprovalPayloadInvalid});
  }

  auto t = tenuo::parse_approvals(tenuo::as_chars(in));
  if (t) {
    if (t->empty() || t->size() > tenuo::kMaxApprovalsPerCall) std::abort();
  } else {
    check_code(t.error(), {ErrorCode::InvalidInput, ErrorCode::ApprovalInvalid});
  }
  return 0;
}
