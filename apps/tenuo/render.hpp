#pragma once
// Rendering warrants for people (text) and tools (JSON).

#include <tenuo/warrant.hpp>

#include <nlohmann/json.hpp>

#include <span>
#include <string>

namespace tenuo::cli {

// {"tool": {"arg": CONSTRAINT}} — the --capabilities form.
[[nodiscard]] nlohmann::json tools_json(const ToolMap& tools);
[[nodiscard]] nlohmann::json warrant_json(const Warrant& w);
// Indented multi-line description of one warrant.
[[nodiscard]] std::string warrant_text(const Warrant& w, std::string_view indent = "");
// Parses the --capabilities form into a tool map. Errors: InvalidInput.
[[nodiscard]] Result<ToolMap> parse_capabilities(std::string_view json);
// Prints one JSON document on stdout.
void print_json(const nlohmann::json& doc);

}  // namespace tenuo::cli
