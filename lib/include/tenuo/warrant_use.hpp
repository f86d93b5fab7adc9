#pragma once
// Using a warrant as its holder (the SDK's warrant.sign / allows / why_denied / headers):
//   auto sig = sign(w, agent_key, "read_file", make_args({{"path", "/data/a.txt"}}));
//   if (!allows(w, "read_file", a)) { auto d = why_denied(w, "read_file", a); … }
//   auto h = headers(w, agent_key, "read_file", a);  // X-Tenuo-Warrant, X-Tenuo-PoP
// Every function here is also a Warrant member (w.sign(key, tool, args), w.allows(tool, args),
// …). `now` defaults to the system clock.
// Thread-safety: pure functions over values, safe to call concurrently on one warrant and one
// key (signing is reentrant; why_denied reaches only the mutex-guarded regex/CEL caches).

#include <tenuo/approval.hpp>
#include <tenuo/explain.hpp>
#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/value.hpp>
#include <tenuo/warrant.hpp>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tenuo {

inline constexpr std::string_view kWarrantHeader = "X-Tenuo-Warrant";
inline constexpr std::string_view kPopHeader = "X-Tenuo-PoP";
// Headers: warrant.hpp.

// Call arguments from members in any order ({{"path", "/tmp/x"}, {"n", 3}}); sorted by name
// bytes as a PoP signs them; a repeated name keeps the last value.
[[nodiscard]] TENUO_EXPORT Object make_args(std::initializer_list<Member> members);

// The holder's PoP over (warrant id, tool, args) for the window containing `now` (§8).
// `args` need not be sorted. Does not check that `holder` is the warrant's holder.
[[nodiscard]] TENUO_EXPORT Signature sign(const Warrant& w, const SigningKey& holder,
                                          std::string_view tool, const Object& args,
                                          std::optional<std::int64_t> now = {});

// The warrant's own view of the call: an execution warrant granting `tool` (exact, then "*")
// whose constraints accept `args` (closed world, nulls as absent). No trust, time or PoP check:
// that is Authorizer's job.
[[nodiscard]] TENUO_EXPORT bool allows(const Warrant& w, std::string_view tool, const Object& args);

// Every check for the call against this warrant alone (its issuer taken as trusted, PoP not
// required), with per-argument findings and fixes. Diagnosis::allowed agrees with allows()
// plus the time check at `now`.
[[nodiscard]] TENUO_EXPORT Diagnosis why_denied(const Warrant& w, std::string_view tool,
                                                const Object& args,
                                                std::optional<std::int64_t> now = {});

// HTTP headers for one call: X-Tenuo-Warrant = the warrant in URL-safe base64 without padding,
// X-Tenuo-PoP = standard padded base64 of sign(…) (WIRE.md header table).
[[nodiscard]] TENUO_EXPORT Headers headers(const Warrant& w, const SigningKey& holder,
                                           std::string_view tool, const Object& args,
                                           std::optional<std::int64_t> now = {});
// The same plus X-Tenuo-Approvals carrying `approvals` for a gated call
// (approvals_header_value(); no header when `approvals` is empty).
// Errors: InvalidInput for more than kMaxApprovalsPerCall approvals.
[[nodiscard]] TENUO_EXPORT Result<Headers> headers(const Warrant& w, const SigningKey& holder,
                                                   std::string_view tool, const Object& args,
                                                   std::span<const SignedApproval> approvals,
                                                   std::optional<std::int64_t> now = {});

}  // namespace tenuo
