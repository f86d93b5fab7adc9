// tenuo approve: one approver's signed approval of one call (WIRE.md §9).
//
// Decisions (CLI.md has no approve verb; the reference CLI has none either):
// * The approval binds the leaf warrant's id and holder, the tool and the arguments (the §9.2
//   request hash, arguments parsed strictly with nulls kept, as `sign` and `verify` do).
// * A key that is not among the leaf's required approvers is refused with 1702
//   approver-not-authorized (exit 1): every verifier would reject its approval.
// * A call no approval gate covers is still approved, with a note on stderr: the approval is
//   harmless, and the gate may be what the user is about to add.
// * Output: standard padded base64 of the SignedApproval CBOR, one line — what `verify
//   --approval`, `_meta.tenuo.approvals` and the SDKs take. Default TTL 5 minutes.
#include "call.hpp"
#include "cli.hpp"
#include "output.hpp"

#include <tenuo/approval.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace tenuo::cli {
namespace {

struct ApproveCmd {
  std::string key;
  std::string key_id;
  std::string warrant;
  std::string tool;
  std::optional<std::string> args;  // absent = {}
  std::string ttl = "5m";
  std::string at;
  std::string external_id;
};

Result<int> run_approve(const ApproveCmd& o) {
  TENUO_TRY_ASSIGN(SigningKey key, load_signing_key(o.key, nullptr, "--key", o.key_id));
  TENUO_TRY_ASSIGN(std::vector<Warrant> chain, load_warrants(o.warrant));
  TENUO_TRY_ASSIGN(Object args, load_arguments(o.args));
  TENUO_TRY_ASSIGN(std::int64_t now, resolve_now(o.at));
  TENUO_TRY_ASSIGN(std::uint64_t ttl, parse_duration(o.ttl));
  const Payload& leaf = chain.back().payload();
  const auto& approvers = leaf.required_approvers;
  if (!approvers || std::find(approvers->begin(), approvers->end(), key.public_key()) == approvers->end())
    return fail(ErrorCode::ApproverNotAuthorized,
                fmt::format("the key ({}) is not one of the required approvers of warrant {} ({}): its approval would "
                            "be rejected",
                            key.public_key().hex(), id_text(leaf.id),
                            approvers && !approvers->empty() ? fmt::format("{} listed", approvers->size())
                                                             : std::string("it lists none")));
  auto gates = approval_gates_of(leaf);
  if (!gates) {
    info(fmt::format("tenuo: warning: {}\n", gates.error().message));
  } else if (auto g = evaluate_gates(*gates, o.tool, args); !g) {
    info(fmt::format("tenuo: warning: the approval gates cannot be evaluated for this call: {}\n", g.error().message));
  } else if (!g->gated) {
    info(fmt::format("tenuo: note: {}; the call needs no approval\n", g->reason));
  }
  TENUO_TRY_ASSIGN(ApprovalPayload p, make_approval_payload(leaf, o.tool, args, now, ttl, o.external_id));
  TENUO_TRY(write_output("", approval_text(sign_approval(key, p)) + "\n"));
  return kExitOk;
}

}  // namespace

void add_approve(CLI::App& app, Pending& pending) {
  auto o = std::make_shared<ApproveCmd>();
  auto* sub = app.add_subcommand("approve", "Sign an approval of one tool call as a required approver");
  auto* key = sub->add_option("--key,-k", o->key, "Approver's signing key: KEY, @FILE, -, env:NAME (or --key-id)");
  add_key_id_option(*sub, o->key_id, key);
  sub->add_option("--warrant,-w", o->warrant, "Warrant or chain whose leaf the call runs under: VALUE, @FILE, - "
                                              "(default: stdin)");
  sub->add_option("--tool,-t", o->tool, "Tool name of the call")->required();
  sub->add_option("--args,-a", o->args, "Call arguments as a JSON object: JSON, @FILE, - (default {})");
  sub->add_option("--ttl", o->ttl, "Validity of the approval: 30s, 5m, 1h, 2d (default 5m)");
  sub->add_option("--at", o->at, "Approval instant: RFC 3339 or unix seconds (default: now or $TENUO_NOW)");
  sub->add_option("--external-id", o->external_id, "Reference of the approval in your own system (ticket, "
                                                   "request id); default empty");
  sub->callback([o, &pending] {
    if (o->key.empty() && o->key_id.empty()) throw CLI::RequiredError("--key or --key-id");
    pending.run = [o] { return run_approve(*o); };
  });
}

}  // namespace tenuo::cli
