#include <tenuo/authorize.hpp>
#include <tenuo/bound_warrant.hpp>
#include <tenuo/builders.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/arguments.hpp>
#include <tenuo/warrant_use.hpp>

#include <span>

namespace tenuo {

namespace {
Object sorted(const Object& a) { return Value::object(a).as_object(); }
}  // namespace

Object make_args(std::initializer_list<Member> members) {
  return Value::object(Object(members.begin(), members.end())).as_object();
}

Signature sign(const Warrant& w, const SigningKey& holder, std::string_view tool, const Object& a,
               std::optional<std::int64_t> now) {
  return pop_sign(holder, w.id(), tool, sorted(a), now.value_or(unix_now()));
}

bool allows(const Warrant& w, std::string_view tool, const Object& a) {
  if (w.payload().type != WarrantType::Execution) return false;
  const auto* entry = lookup_tool(w.payload(), tool);
  if (entry == nullptr) return false;
  return check_constraints(entry->second, without_nulls(sorted(a))).has_value();
}

Diagnosis why_denied(const Warrant& w, std::string_view tool, const Object& a,
                     std::optional<std::int64_t> now) {
  TrustedRoots self{{w.payload().issuer}};
  DiagnoseOptions opts;
  opts.now = now.value_or(unix_now());
  opts.pop_required = false;
  DiagnoseCall call{std::string(tool), sorted(a), std::nullopt};
  return diagnose(std::span<const Warrant>(&w, 1), &self, opts, &call);
}

Headers headers(const Warrant& w, const SigningKey& holder, std::string_view tool, const Object& a,
                std::optional<std::int64_t> now) {
  Headers h;
  h.emplace(std::string(kWarrantHeader), to_text(std::span<const Warrant>(&w, 1), TextFormat::Base64));
  const Signature sig = sign(w, holder, tool, a, now);
  h.emplace(std::string(kPopHeader), base64_encode(sig, Base64Alphabet::Standard, Padding::Yes));
  return h;
}

Result<Headers> headers(const Warrant& w, const SigningKey& holder, std::string_view tool, const Object& a,
                        std::span<const SignedApproval> approvals, std::optional<std::int64_t> now) {
  Headers h = headers(w, holder, tool, a, now);
  if (approvals.empty()) return h;
  TENUO_TRY_ASSIGN(std::string value, approvals_header_value(approvals));
  h.emplace(std::string(kApprovalsHeader), std::move(value));
  return h;
}

Result<BoundWarrant> bind(const Warrant& w, const SigningKey& holder) {
  if (!(holder.public_key() == w.payload().holder))
    return fail(ErrorCode::InvalidIssuer, "the key is not this warrant's holder (" +
                                              holder.public_key().fingerprint() + " vs " +
                                              w.payload().holder.fingerprint() + ")");
  return BoundWarrant(w, holder.clone(SecretAccess{}));
}

// Warrant's member spellings (declared in warrant.hpp): one implementation, the functions above.
Signature Warrant::sign(const SigningKey& holder, std::string_view tool, const Object& a,
                        std::optional<std::int64_t> now) const {
  return tenuo::sign(*this, holder, tool, a, now);
}
bool Warrant::allows(std::string_view tool, const Object& a) const { return tenuo::allows(*this, tool, a); }
Diagnosis Warrant::why_denied(std::string_view tool, const Object& a, std::optional<std::int64_t> now) const {
  return tenuo::why_denied(*this, tool, a, now);
}
Headers Warrant::headers(const SigningKey& holder, std::string_view tool, const Object& a,
                         std::optional<std::int64_t> now) const {
  return tenuo::headers(*this, holder, tool, a, now);
}
Result<BoundWarrant> Warrant::bind(const SigningKey& holder) const { return tenuo::bind(*this, holder); }

Signature BoundWarrant::sign(std::string_view tool, const Object& a, std::optional<std::int64_t> now) const {
  return tenuo::sign(m_warrant, m_key, tool, a, now);
}
Headers BoundWarrant::headers(std::string_view tool, const Object& a, std::optional<std::int64_t> now) const {
  return tenuo::headers(m_warrant, m_key, tool, a, now);
}
Result<Headers> BoundWarrant::headers(std::string_view tool, const Object& a,
                                      std::span<const SignedApproval> approvals,
                                      std::optional<std::int64_t> now) const {
  return tenuo::headers(m_warrant, m_key, tool, a, approvals, now);
}
bool BoundWarrant::allows(std::string_view tool, const Object& a) const {
  return tenuo::allows(m_warrant, tool, a);
}
Diagnosis BoundWarrant::why_denied(std::string_view tool, const Object& a, std::optional<std::int64_t> now) const {
  return tenuo::why_denied(m_warrant, tool, a, now);
}

}  // namespace tenuo
