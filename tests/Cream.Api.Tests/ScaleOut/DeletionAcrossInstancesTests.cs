using System.Net;
using Cream.Api.Tests.Accounts;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.ScaleOut;

/// <summary>
/// A deleted account's tokens are refused on every instance within 2 s: through Redis on the
/// instances that run, and from the database's tombstone on one that starts after the deletion.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class DeletionAcrossInstancesTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_deletion_on_one_instance_is_honoured_by_the_other_within_two_seconds_and_by_one_started_after_it()
    {
        await instances.A.CreateAdminAsync(); // so that the deleted admin is not the last one
        var user = await instances.B.CreateUserAsync("admin"); // a token that reaches admin endpoints
        using var onB = instances.B.CreateClient(user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, await StatusOfAdminCallAsync(onB));

        using var deleted = await instances.A.CreateClient(user.AccessToken).DeleteMeAsync(user.Password);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var refusedOnB = await TwoInstances.WaitUntilAsync(async () => await StatusOfAdminCallAsync(onB) == HttpStatusCode.Unauthorized, Deadline);
        Assert.NotNull(refusedOnB);
        Assert.Equal(HttpStatusCode.Unauthorized, await instances.B.SessionsStatusAsync(user.AccessToken));

        // No Redis and no message for it: what it knows comes from the database at start.
        await using var later = new PostgresApiFactory { DatabaseName = instances.A.DatabaseName, OwnsDatabase = false, JwtSecret = instances.A.JwtSecret };
        await later.InitializeAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await later.SessionsStatusAsync(user.AccessToken));
        using var onLater = later.CreateClient(user.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusOfAdminCallAsync(onLater));
    }

    private static async Task<HttpStatusCode> StatusOfAdminCallAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/admin/users?page_size=1");
        return response.StatusCode;
    }
}
