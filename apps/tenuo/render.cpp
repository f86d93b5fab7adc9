#include "render.hpp"

#include "cli.hpp"

#include <tenuo/approval.hpp>
#include <tenuo/encoding.hpp>

#include <fmt/format.h>

#include <cstdio>

namespace tenuo::cli {

nlohmann::json tools_json(const ToolMap& tools) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, cs] : tools) out[name] = nlohmann::json::parse(to_json_text(cs));
  return out;
}

nlohmann::json warrant_json(const Warrant& w) {
  const Payload& p = w.payload();
  nlohmann::json j;
  j["id"] = w.id_text();
  j["type"] = p.type == WarrantType::Execution ? "execution" : "issuer";
  j["version"] = p.version;
  j["depth"] = p.depth;
  j["max_depth"] = p.max_depth;
  j["issued_at"] = p.issued_at;
  j["issued_at_rfc3339"] = rfc3339_utc(static_cast<std::int64_t>(p.issued_at));
  j["expires_at"] = p.expires_at;
  j["expires_at_rfc3339"] = rfc3339_utc(static_cast<std::int64_t>(p.expires_at));
  j["issuer"] = p.issuer.hex();
  j["holder"] = p.holder.hex();
  j["parent_hash"] = p.parent_hash ? nlohmann::json(hex_encode(ByteView(*p.parent_hash))) : nlohmann::json();
  j["tools"] = tools_json(p.tools);
  if (p.issuable_tools) j["issuable_tools"] = *p.issuable_tools;
  if (p.max_issue_depth) j["max_issue_depth"] = *p.max_issue_depth;
  if (p.constraint_bounds) j["constraint_bounds"] = nlohmann::json::parse(to_json_text(*p.constraint_bounds));
  if (p.clearance) j["clearance"] = *p.clearance;
  if (p.required_approvers) {
    auto a = nlohmann::json::array();
    for (const auto& k : *p.required_approvers) a.push_back(k.hex());
    j["required_approvers"] = a;
  }
  if (p.min_approvals) j["min_approvals"] = *p.min_approvals;
  if (p.extension(kApprovalGatesExtension))
    if (auto g = approval_gates_of(p)) j["approval_gates"] = nlohmann::json::parse(to_json_text(*g));
  if (p.session_id) j["session_id"] = *p.session_id;
  if (p.agent_id) j["agent_id"] = *p.agent_id;
  if (!p.extensions.empty()) {
    nlohmann::json e = nlohmann::json::object();
    for (const auto& [k, v] : p.extensions) e[k] = hex_encode(v);
    j["extensions"] = e;
  }
  j["payload_hash"] = hex_encode(ByteView(w.payload_hash()));
  j["signature"] = hex_encode(ByteView(w.signature()));
  j["size"] = w.envelope_bytes().size();
  return j;
}

std::string warrant_text(const Warrant& w, std::string_view in) {
  const Payload& p = w.payload();
  std::string s;
  auto line = [&](std::string_view k, const std::string& v) { s += fmt::format("{}{:<12} {}\n", in, k, v); };
  line("id", w.id_text());
  line("type", p.type == WarrantType::Execution ? "execution" : "issuer");
  line("issuer", p.issuer.hex());
  line("holder", p.holder.hex());
  line("issued", fmt::format("{} ({})", rfc3339_utc(static_cast<std::int64_t>(p.issued_at)), p.issued_at));
  line("expires", fmt::format("{} ({}, ttl {} s)", rfc3339_utc(static_cast<std::int64_t>(p.expires_at)),
                              p.expires_at, p.expires_at - p.issued_at));
  line("depth", fmt::format("{} of max {}", p.depth, p.max_depth));
  if (p.parent_hash) line("parent", hex_encode(ByteView(*p.parent_hash)));
  if (p.clearance) line("clearance", std::to_string(*p.clearance));
  if (p.session_id) line("session_id", *p.session_id);
  if (p.agent_id) line("agent_id", *p.agent_id);
  if (p.issuable_tools) {
    std::string t;
    for (const auto& x : *p.issuable_tools) t += (t.empty() ? "" : ", ") + x;
    line("issuable", t);
  }
  if (p.max_issue_depth) line("issue depth", std::to_string(*p.max_issue_depth));
  if (p.required_approvers)
    line("approvers", fmt::format("{} (min {})", p.required_approvers->size(),
                                  p.min_approvals ? std::to_string(*p.min_approvals) : "all"));
  if (p.extension(kApprovalGatesExtension)) {
    auto g = approval_gates_of(p);
    line("gates", g ? to_json_text(*g) : std::string("(malformed: calls under this warrant are denied)"));
  }
  for (const auto& [k, v] : p.extensions) line("extension", fmt::format("{} = {}", k, hex_encode(v)));
  if (p.tools.empty() && p.type == WarrantType::Execution) line("tools", "(none)");
  for (const auto& [name, cs] : p.tools) {
    if (cs.empty()) {
      line("tool", fmt::format("{} (any arguments{})", name, cs.allow_unknown ? ", unknown allowed" : ""));
      continue;
    }
    line("tool", fmt::format("{}{}", name, cs.allow_unknown ? " (unknown arguments allowed)" : ""));
    for (const auto& [arg, c] : cs.constraints) s += fmt::format("{}  {:<12}   {} = {}\n", in, "", arg, display(c));
  }
  if (p.constraint_bounds)
    for (const auto& [arg, c] : p.constraint_bounds->constraints)
      line("bound", fmt::format("{} = {}", arg, display(c)));
  return s;
}

Result<ToolMap> parse_capabilities(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return fail(ErrorCode::InvalidInput, fmt::format("--capabilities is not valid JSON: {}", e.what()));
  }
  if (!j.is_object())
    return fail(ErrorCode::InvalidInput, "--capabilities must be an object {\"tool\": {\"arg\": CONSTRAINT}}");
  ToolMap tools;
  for (const auto& [name, set] : j.items()) {
    auto cs = constraint_set_from_json_text(set.dump());
    if (!cs)
      return fail(ErrorCode::InvalidInput, fmt::format("--capabilities tool '{}': {}", name, cs.error().message));
    tools.emplace_back(name, std::move(*cs));
  }
  return tools;
}

void print_json(const nlohmann::json& doc) {
  std::fputs((doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(), stdout);
}

}  // namespace tenuo::cli

namespace tenuo::cli {

Result<void> emit_warrants(std::span<const Warrant> chain, const std::string& format, const std::string& out) {
  if (format == "b64") return write_output(out, to_text(chain, TextFormat::Base64) + "\n");
  if (format == "pem") return write_output(out, to_text(chain, TextFormat::Pem));
  if (format == "tenuo") {
    const Bytes body = chain.size() == 1 ? Bytes(chain[0].envelope_bytes().begin(), chain[0].envelope_bytes().end())
                                         : encode_stack(chain);
    std::string data(kTenuoMagic);
    data.append(as_chars(body));
    return write_output(out, data);
  }
  if (format == "json") {
    nlohmann::json doc;
    doc["ok"] = true;
    doc["warrant"] = to_text(chain, TextFormat::Base64);
    doc["leaf"] = warrant_json(chain.back());
    if (chain.size() > 1) {
      auto links = nlohmann::json::array();
      for (const auto& w : chain) links.push_back(warrant_json(w));
      doc["chain"] = links;
    }
    return write_output(out, doc.dump(2) + "\n");
  }
  return fail(ErrorCode::InvalidInput, fmt::format("unknown --format '{}': use b64, pem, tenuo or json", format));
}

}  // namespace tenuo::cli
