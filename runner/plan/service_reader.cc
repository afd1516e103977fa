#include "runner/plan/service_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "runner/core/signals.h"
#include "runner/core/suggest.h"
#include "runner/plan/probe_reader.h"

namespace faultline {
namespace {

void read_ready(NodeReader& reader, const Registry& registry, const YAML::Node& node,
                ServiceSpec& service, const std::string& label) {
  std::vector<std::string> allowed = {"timeout"};
  for (const auto& type : registry.probe_type_names()) allowed.push_back(type);
  std::vector<Field> types;
  for (const Field& field : reader.fields(node, allowed, label + " ready")) {
    if (field.key == "timeout") {
      if (auto timeout = reader.positive_duration(field.value, label + " ready timeout"))
        service.ready_timeout = *timeout;
    } else {
      types.push_back(field);
    }
  }
  if (!node.IsMap()) return;
  if (types.size() != 1) {
    reader.error(node, label + " ready needs exactly one probe type key (" +
                           fmt::format("{}", fmt::join(registry.probe_type_names(), ", ")) + ")");
    return;
  }
  service.ready = read_probe(reader, registry, types[0].key_node, types[0].key, types[0].value,
                             label + " ready probe");
  if (service.ready) service.ready->name = service.name + ".ready";
}

void read_restart(NodeReader& reader, const YAML::Node& node, ServiceSpec& service,
                  const std::string& label) {
  for (const Field& field : reader.fields(node, {"policy", "delay"}, label + " restart")) {
    if (field.key == "delay") {
      service.restart_delay =
          reader.duration(field.value, label + " restart delay").value_or(Millis(0));
      continue;
    }
    auto policy = reader.checkable_text(field.value, label + " restart policy");
    if (!policy) continue;
    if (*policy == "always")
      service.restart = RestartPolicy::always;
    else if (*policy == "on-failure")
      service.restart = RestartPolicy::on_failure;
    else if (*policy == "never")
      service.restart = RestartPolicy::never;
    else
      reader.error(field.value,
                   label + " restart policy must be always, on-failure or never, not '" + *policy +
                       "'" + did_you_mean(*policy, {"always", "on-failure", "never"}));
  }
}

}  // namespace

std::vector<ServiceSpec> read_services(NodeReader& reader, const Registry& registry,
                                       const YAML::Node& node) {
  std::vector<ServiceSpec> services;
  for (const Field& entry : reader.entries(node, "services")) {
    ServiceSpec service;
    service.name = entry.key;
    std::string label = "service '" + entry.key + "'";
    if (!reader.identifier(entry.key_node, "service name")) continue;
    bool has_command = false;
    for (const Field& field : reader.fields(
             entry.value,
             {"command", "cwd", "env", "ready", "restart", "stop_signal", "stop_timeout"}, label)) {
      if (field.key == "command") {
        has_command = true;
        if (auto argv = reader.command(field.value, label + " command"))
          service.command.argv = *argv;
      } else if (field.key == "cwd") {
        service.command.cwd = reader.text(field.value, label + " cwd").value_or("");
      } else if (field.key == "env") {
        for (const Field& var : reader.entries(field.value, label + " env")) {
          if (auto value = reader.text(var.value, label + " env " + var.key))
            service.command.env[var.key] = *value;
        }
      } else if (field.key == "ready") {
        read_ready(reader, registry, field.value, service, label);
      } else if (field.key == "restart") {
        read_restart(reader, field.value, service, label);
      } else if (field.key == "stop_signal") {
        auto text = reader.checkable_text(field.value, label + " stop_signal");
        auto signal = text ? parse_signal(*text) : Result<int>(Error{""});
        if (signal.ok())
          service.stop_signal = *signal;
        else if (text)
          reader.error(field.value, label + " stop_signal: " + signal.error().message);
      } else if (field.key == "stop_timeout") {
        if (auto timeout = reader.positive_duration(field.value, label + " stop_timeout"))
          service.stop_timeout = *timeout;
      }
    }
    if (entry.value.IsMap() && !has_command)
      reader.error(entry.key_node, label + " needs a 'command'");
    services.push_back(std::move(service));
  }
  return services;
}

}  // namespace faultline
