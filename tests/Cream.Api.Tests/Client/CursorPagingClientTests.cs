using System.Net;
using Cream.Api.Tests.Infrastructure;
using Cream.Client;

namespace Cream.Api.Tests.Client;

/// <summary>The client's cursor-paging calls against the real service.</summary>
public abstract class CursorPagingClientTests(CreamApiFactory factory)
{
    [Fact]
    public async Task GetUsersAfterAsync_walks_every_matching_user_once_in_email_order()
    {
        var tag = $"cursor{Guid.NewGuid():N}"[..20];
        foreach (var n in new[] { 3, 1, 2 })
        {
            using var user = factory.NewClient();
            await user.SignupAsync($"{tag}-{n}@example.com");
        }

        using var admin = await factory.NewAdminClientAsync();
        var emails = new List<string>();
        string? after = null;
        do
        {
            var page = await admin.Api.GetUsersAfterAsync(after, limit: 2, email: tag.ToUpperInvariant());
            emails.AddRange(page.Users.Select(u => u.Email));
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal([$"{tag}-1@example.com", $"{tag}-2@example.com", $"{tag}-3@example.com"], emails);
        await ClientTestKit.ThrowsAsync(HttpStatusCode.BadRequest, null, () => admin.Api.GetUsersAfterAsync("not-a-cursor"));
        await ClientTestKit.ThrowsAsync(HttpStatusCode.UnprocessableEntity, null, () => admin.Api.GetUsersAfterAsync(limit: 101));
    }

    [Fact]
    public async Task GetAuditEventsAfterAsync_walks_a_users_events_newest_first()
    {
        using var user = factory.NewClient();
        var userId = await user.SignupAsync();
        for (var i = 0; i < 2; i++)
        {
            await user.Api.RefreshAsync((await user.TokensAsync()).RefreshToken);
        }

        using var admin = await factory.NewAdminClientAsync();
        var events = new List<AuditEvent>();
        string? after = null;
        do
        {
            var page = await admin.Api.GetAuditEventsAfterAsync(new AuditQuery { UserId = userId }, after, limit: 1);
            events.AddRange(page.Events);
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(["refresh", "refresh", "signup"], events.Select(e => e.Type));
        Assert.Equal(events.Select(e => e.Id).OrderDescending(), events.Select(e => e.Id));
    }
}

public sealed class SqliteCursorPagingClientTests(SqliteApiFactory factory) : CursorPagingClientTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresCursorPagingClientTests(PostgresApiFactory factory) : CursorPagingClientTests(factory), IClassFixture<PostgresApiFactory>;
