#pragma once
// The local target's Redis client (hiredis): one exchange on a fresh connection, with a
// deadline over the connect and every command.
#include <vector>

#include "runner/core/redis.h"

namespace faultline {

Result<std::vector<RedisReply>> redis_exchange(const RedisRequest& request);

}  // namespace faultline
