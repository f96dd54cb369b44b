using System.Net;
using System.Net.Http.Json;
using Cream.Api.Auth.Accounts;
using Cream.Api.Tests.Accounts;
using Cream.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.ScaleOut;

/// <summary>A password reset on one instance ends the account's tokens on the other within 2 s, like any credential change.</summary>
[Collection(RedisOutageGroup.Name)]
public sealed class ResetAcrossInstancesTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task A_reset_on_one_instance_is_honoured_by_the_other_within_two_seconds()
    {
        var user = await instances.B.CreateUserAsync();
        Assert.Equal(HttpStatusCode.OK, await instances.B.SessionsStatusAsync(user.AccessToken));
        var token = await IssueResetTokenAsync(instances.A, user.Email);

        using var reset = await instances.A.CreateClient().PostAsJsonAsync("/api/auth/reset-password",
            new { token, new_password = "a passphrase set by a reset" });

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        var refusedOnB = await TwoInstances.WaitUntilAsync(
            async () => await instances.B.SessionsStatusAsync(user.AccessToken) == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(2));
        Assert.NotNull(refusedOnB);
        using var refresh = await instances.B.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    /// <summary>The token a reset email would carry, issued the way forgot-password issues it (this fixture sends no mail).</summary>
    private static async Task<string> IssueResetTokenAsync(PostgresApiFactory instance, string email)
    {
        await using var scope = instance.Services.CreateAsyncScope();
        var userId = await instance.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Email == email).Id));
        var link = await scope.ServiceProvider.GetRequiredService<PasswordResets>().IssueLinkAsync(userId, CancellationToken.None);
        return link[(link.IndexOf("token=", StringComparison.Ordinal) + "token=".Length)..];
    }
}
