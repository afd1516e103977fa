#include "faults/network/proxy/toxic_spec.h"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "runner/core/json_reader.h"

namespace faultline::proxy {
namespace {

struct IntAttribute {
  const char* name;
  int64_t ToxicSpec::*field;
  int64_t min;
  int64_t max;
};

constexpr int64_t kMaxMillis = int64_t{30} * 24 * 3600 * 1000;  // as kMaxDuration
constexpr int64_t kMaxBytes = int64_t{1} << 50;

struct TypeInfo {
  ToxicType type;
  const char* name;
  std::vector<IntAttribute> attributes;
  bool has_body = false;
};

const std::vector<TypeInfo>& types() {
  static const std::vector<TypeInfo> table = {
      {ToxicType::latency,
       "latency",
       {{"latency", &ToxicSpec::latency, 0, kMaxMillis},
        {"jitter", &ToxicSpec::jitter, 0, kMaxMillis}}},
      {ToxicType::bandwidth, "bandwidth", {{"rate", &ToxicSpec::rate, 0, kMaxBytes}}},
      {ToxicType::slow_close, "slow_close", {{"delay", &ToxicSpec::delay, 0, kMaxMillis}}},
      {ToxicType::timeout, "timeout", {{"timeout", &ToxicSpec::timeout, 0, kMaxMillis}}},
      {ToxicType::reset_peer, "reset_peer", {{"timeout", &ToxicSpec::timeout, 0, kMaxMillis}}},
      {ToxicType::slicer,
       "slicer",
       {{"average_size", &ToxicSpec::average_size, 0, kMaxBytes},
        {"size_variation", &ToxicSpec::size_variation, 0, kMaxBytes},
        {"delay", &ToxicSpec::delay, 0, kMaxMillis * 1000}}},
      {ToxicType::limit_data, "limit_data", {{"bytes", &ToxicSpec::bytes, 0, kMaxBytes}}},
      {ToxicType::connect_latency,
       "connect_latency",
       {{"latency", &ToxicSpec::latency, 0, kMaxMillis}}},
      {ToxicType::http_fault,
       "http.fault",
       {{"status", &ToxicSpec::status, 0, 599}, {"delay", &ToxicSpec::delay, 0, kMaxMillis}},
       true},
  };
  return table;
}

const TypeInfo* find_type(std::string_view name) {
  for (const auto& info : types())
    if (name == info.name) return &info;
  return nullptr;
}

const TypeInfo& info_of(ToxicType type) {
  for (const auto& info : types())
    if (info.type == type) return info;
  return types().front();
}

Error bad(std::string message) { return Error{ErrorCode::invalid, std::move(message)}; }

std::string known_types() {
  std::string out;
  for (const auto& info : types()) out += (out.empty() ? "" : ", ") + std::string(info.name);
  return out;
}

// Reads "attributes" (absent or null: keep what `spec` has) strictly.
Status read_attributes(const Json& body, ToxicSpec& spec) {
  auto found = body.find("attributes");
  if (found == body.end() || found->is_null()) return {};
  if (!found->is_object())
    return bad("bad request body: attributes must be an object, not " + found->dump());
  const TypeInfo& info = info_of(spec.type);
  for (const auto& [key, value] : found->items()) {
    if (info.has_body && key == "body") {
      if (!value.is_string()) return bad("bad request body: attribute 'body' must be a string");
      spec.body = value.get<std::string>();
      continue;
    }
    const IntAttribute* attribute = nullptr;
    for (const auto& candidate : info.attributes)
      if (key == candidate.name) attribute = &candidate;
    if (!attribute) {
      std::string known;
      for (const auto& candidate : info.attributes)
        known += (known.empty() ? "" : ", ") + std::string(candidate.name);
      if (info.has_body) known += ", body";
      return bad(fmt::format("bad request body: {} has no attribute '{}' (it has: {})", info.name,
                             key, known));
    }
    int64_t number = 0;
    if (value.is_number_integer()) {
      if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(attribute->max))
        number = attribute->max + 1;
      else
        number = value.get<int64_t>();
    } else if (value.is_number_float() &&
               value.get<double>() == double(int64_t(value.get<double>()))) {
      number = int64_t(value.get<double>());
    } else {
      return bad(fmt::format("bad request body: attribute '{}' must be a whole number, not {}", key,
                             value.dump()));
    }
    if (number < attribute->min || number > attribute->max)
      return bad(fmt::format("bad request body: attribute '{}' must be from {} to {}, not {}", key,
                             attribute->min, attribute->max, number));
    spec.*(attribute->field) = number;
  }
  if (spec.type == ToxicType::http_fault && spec.status != 0 && spec.status < 100)
    return bad(
        "bad request body: attribute 'status' must be an HTTP status (100-599), or 0 "
        "for none");
  if (spec.type == ToxicType::slicer && spec.size_variation > spec.average_size)
    return bad("bad request body: slicer's size_variation must not exceed its average_size");
  return {};
}

Status read_toxicity(const Json& body, ToxicSpec& spec) {
  auto found = body.find("toxicity");
  if (found == body.end() || found->is_null()) return {};
  if (!found->is_number())
    return bad("bad request body: toxicity must be a number, not " + found->dump());
  double value = found->get<double>();
  if (!(value >= 0.0 && value <= 1.0))
    return bad(fmt::format("bad request body: toxicity must be from 0 to 1, not {}", value));
  spec.toxicity = value;
  return {};
}

Result<std::string> optional_text(const Json& body, const char* key, std::string fallback) {
  return JsonReader(body, "bad request body").text_or(key, std::move(fallback));
}

}  // namespace

const char* stream_name(Stream stream) {
  return stream == Stream::upstream ? "upstream" : "downstream";
}

Json ToxicSpec::to_json() const {
  Json attributes = Json::object();
  const TypeInfo& info = info_of(type);
  for (const auto& attribute : info.attributes)
    attributes[attribute.name] = this->*(attribute.field);
  if (info.has_body) attributes["body"] = body;
  return Json{{"name", name},
              {"type", type_name},
              {"stream", stream_name(stream)},
              {"toxicity", toxicity},
              {"attributes", std::move(attributes)}};
}

Result<ToxicSpec> parse_toxic(const Json& body) {
  if (!body.is_object()) return bad("bad request body: a toxic must be a JSON object");
  ToxicSpec spec;
  auto type = optional_text(body, "type", "");
  if (!type) return type.error();
  const TypeInfo* info = find_type(*type);
  if (!info)
    return bad(type->empty()
                   ? "invalid toxic type: 'type' is required (one of " + known_types() + ")"
                   : "invalid toxic type: '" + *type + "' (known: " + known_types() + ")");
  spec.type = info->type;
  spec.type_name = info->name;
  auto stream = optional_text(body, "stream", "downstream");
  if (!stream) return stream.error();
  if (*stream == "upstream")
    spec.stream = Stream::upstream;
  else if (*stream == "downstream")
    spec.stream = Stream::downstream;
  else
    return bad("stream was invalid, can be either upstream or downstream");
  auto name = optional_text(body, "name", "");
  if (!name) return name.error();
  spec.name = name->empty() ? spec.type_name + "_" + *stream : *name;
  if (auto ok = read_toxicity(body, spec); !ok) return ok.error();
  if (auto ok = read_attributes(body, spec); !ok) return ok.error();
  return spec;
}

Result<ToxicSpec> update_toxic(const ToxicSpec& current, const Json& changes) {
  if (!changes.is_object()) return bad("bad request body: a toxic must be a JSON object");
  ToxicSpec spec = current;
  if (auto ok = read_toxicity(changes, spec); !ok) return ok.error();
  if (auto ok = read_attributes(changes, spec); !ok) return ok.error();
  return spec;
}

}  // namespace faultline::proxy
