using System.Net;
using System.Net.Sockets;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.ScaleOut;

/// <summary>Redis being down when an instance starts must not keep the instance from serving.</summary>
public sealed class RedisUnreachableAtStartTests
{
    [Fact]
    public async Task An_instance_starts_and_serves_when_redis_is_unreachable()
    {
        await using var service = new SqliteApiFactory { RedisConfiguration = $"127.0.0.1:{ClosedPort()},connectTimeout=500" };
        await service.InitializeAsync();
        var client = service.CreateClient();

        var user = await client.SignupAsync();
        var login = await client.LoginAsync(user.Email, user.Password);
        using var me = await service.CreateClient(login.AccessToken).GetAsync("/api/auth/me");
        using var logout = await service.CreateClient(login.AccessToken).PostAsync("/api/auth/logout", null);
        using var afterLogout = await service.CreateClient(login.AccessToken).GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
