"""Django's Redis cache, with one client object per connection pool instead of one per command.

Django's RedisCacheClient builds a new redis.Redis for every command, and redis-py fills some
two hundred response callbacks in each one's constructor: on a page served from the cache
(portal.page_cache) that was a tenth of the request. The client only holds the pool and those
callbacks, is safe to share between threads, and its pool reconnects after a fork.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
