using System.Net;
using System.Text.Json;
using Cream.Api.Audit;
using Cream.Api.Common;
using Cream.Api.Tests.Client;
using Cream.Api.Tests.Infrastructure;
using Cream.Client;

namespace Cream.Api.Tests.Admin;

/// <summary>
/// <c>?after=&amp;limit=</c> on the admin user list and the audit trail: every row once, in
/// order, while rows are added between pages; bad cursors and limits refused; no totals.
/// </summary>
public abstract class CursorPagingTests(CreamApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Walking_users_by_cursor_lists_each_once_in_email_order_while_others_sign_up()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        var tag = $"walk{Guid.NewGuid():N}";
        var originals = new List<string>();
        foreach (var suffix in new[] { "c", "e", "g", "i", "k" })
        {
            originals.Add((await _client.SignupAsync($"{tag}-{suffix}@example.com")).Email);
        }

        var listed = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await GetAsync(client, $"/api/admin/users?email={tag}&limit=2" + (after is null ? "" : $"&after={after}"));
            Assert.False(page.TryGetProperty("total_count", out _)); // cursor mode counts nothing
            listed.AddRange(page.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("email").GetString()!));
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            pages++;
            // Between pages: one who sorts before every row listed so far, one after all of them.
            await _client.SignupAsync($"{tag}-a{pages}@example.com");
            await _client.SignupAsync($"{tag}-z{pages}@example.com");
        }
        while (after is not null && pages < 20);

        Assert.Null(after);
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        Assert.Equal(originals, listed.Where(originals.Contains));
        Assert.DoesNotContain(listed, email => email.StartsWith($"{tag}-a", StringComparison.Ordinal));
        Assert.Contains($"{tag}-z1@example.com", listed); // added ahead of the cursor: it is reached
    }

    [Fact]
    public async Task The_email_filter_is_a_prefix_of_the_key_in_both_modes()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        var tag = $"pre{Guid.NewGuid():N}";
        var inside = (await _client.SignupAsync($"{tag}@example.com")).Email;
        await _client.SignupAsync($"x{tag}@example.com"); // contains the tag, does not start with it

        var byPage = await GetAsync(client, $"/api/admin/users?email={tag.ToUpperInvariant()}");
        var byCursor = await GetAsync(client, $"/api/admin/users?email={tag}&limit=10");

        Assert.Equal(1, byPage.GetProperty("total_count").GetInt32());
        Assert.Equal([inside], byPage.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("email").GetString()));
        Assert.Equal([inside], byCursor.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("email").GetString()));
        Assert.Equal(JsonValueKind.Null, byCursor.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task Walking_the_audit_trail_by_cursor_lists_each_event_once_newest_first_while_events_are_added()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        var user = await _client.SignupAsync();
        for (var i = 0; i < 4; i++)
        {
            await _client.LoginAsync(user.Email);
        }

        var first = await GetAsync(client, $"/api/admin/audit?user_id={user.Id}&type=login&limit=2");
        var ids = Ids(first);
        var after = first.GetProperty("next").GetString();
        while (after is not null)
        {
            await _client.LoginAsync(user.Email); // newer than every page: never in a later one
            var page = await GetAsync(client, $"/api/admin/audit?user_id={user.Id}&type=login&limit=2&after={after}");
            ids.AddRange(Ids(page));
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }

        Assert.Equal(4, ids.Count);
        Assert.Equal(ids.OrderDescending(), ids);
        var byPage = await GetAsync(client, $"/api/admin/audit?user_id={user.Id}&type=login&page_size=100");
        Assert.Equal(ids, Ids(byPage).TakeLast(4));
    }

    [Fact]
    public async Task Audit_user_id_matches_the_actor_too_in_cursor_mode()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        var user = await _client.SignupAsync();
        using (var revoke = await client.PostAsync($"/api/admin/users/{user.Id}/revoke-tokens", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        var page = await GetAsync(client, $"/api/admin/audit?user_id={admin.Id}&limit=100");

        Assert.Contains(page.GetProperty("events").EnumerateArray(), e =>
            e.GetProperty("actor_id").GetString() == admin.Id.ToString() && e.GetProperty("user_id").GetString() == user.Id.ToString());
    }

    [Theory]
    [InlineData("/api/admin/users")]
    [InlineData("/api/admin/audit")]
    public async Task Bad_cursors_are_400_and_bad_limits_are_refused(string path)
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        await _client.SignupAsync();
        await _client.SignupAsync();
        var next = (await GetAsync(client, $"{path}?limit=1")).GetProperty("next").GetString()!;
        var other = path.EndsWith("users", StringComparison.Ordinal) ? "/api/admin/audit" : "/api/admin/users";
        var foreign = (await GetAsync(client, $"{other}?limit=1")).GetProperty("next").GetString()!;
        var tampered = next[..10] + (next[10] == 'A' ? 'B' : 'A') + next[11..];

        foreach (var cursor in new[] { "x", "not base64!", "%00", tampered, next[..^4], foreign, new string('A', 5000) })
        {
            using var response = await client.GetAsync($"{path}?after={cursor}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"after={cursor}: {response.StatusCode}");
            Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
        }

        foreach (var (query, status) in new[]
        {
            ("limit=0", HttpStatusCode.UnprocessableEntity),
            ("limit=101", HttpStatusCode.UnprocessableEntity),
            ("limit=-1", HttpStatusCode.UnprocessableEntity),
            ("limit=abc", HttpStatusCode.BadRequest),
            ("limit=99999999999", HttpStatusCode.BadRequest),
            ($"page=2&after={next}", HttpStatusCode.UnprocessableEntity),
        })
        {
            using var response = await client.GetAsync($"{path}?{query}");
            Assert.True(response.StatusCode == status, $"{query}: {response.StatusCode}");
            Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
        }

        // The bounds themselves are fine, and a genuine cursor still opens.
        var one = await GetAsync(client, $"{path}?limit=1&after={next}");
        Assert.Equal(1, one.EnumerateObject().First().Value.GetArrayLength());
        await GetAsync(client, $"{path}?limit=100");
    }

    [Fact]
    public async Task Page_mode_counts_up_to_its_reach_serves_pages_within_it_and_refuses_pages_beyond()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        var (many, few) = ($"reach-{Guid.NewGuid():N}", $"reach-{Guid.NewGuid():N}");
        var now = factory.Time.GetUtcNow().UtcDateTime;
        await factory.WithDbAsync(db =>
        {
            db.AuthEvents.AddRange(Enumerable.Range(0, PageRequest.Reach + 1).Select(i => Event(many, now.AddSeconds(-i))));
            db.AuthEvents.AddRange(Enumerable.Range(0, 3).Select(i => Event(few, now.AddSeconds(-i))));
            return db.SaveChangesAsync();
        });

        var first = await GetAsync(client, $"/api/admin/audit?request_id={many}&page_size=50");
        var last = await GetAsync(client, $"/api/admin/audit?request_id={many}&page_size=50&page=200");
        var exact = await GetAsync(client, $"/api/admin/audit?request_id={few}");
        using var beyond = await client.GetAsync($"/api/admin/audit?request_id={many}&page_size=50&page=201");
        using var beyondUsers = await client.GetAsync("/api/admin/users?page_size=100&page=101");
        var walked = await GetAsync(client, $"/api/admin/audit?request_id={many}&limit=1");

        Assert.Equal((PageRequest.Reach, false, 200, 50), (first.GetProperty("total_count").GetInt32(),
            first.GetProperty("total_count_exact").GetBoolean(), first.GetProperty("total_pages").GetInt32(), first.GetProperty("events").GetArrayLength()));
        // Newest first: page 200 ends with row 10,000 of 10,001.
        Assert.Equal(50, last.GetProperty("events").GetArrayLength());
        Assert.Equal(now.AddSeconds(-(PageRequest.Reach - 1)), last.GetProperty("events")[49].GetProperty("occurred_at").GetDateTime().ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.Equal((3, true), (exact.GetProperty("total_count").GetInt32(), exact.GetProperty("total_count_exact").GetBoolean()));
        foreach (var response in new[] { beyond, beyondUsers })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains("reaches the first 10,000 rows; go further with after and limit", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.NotEqual(JsonValueKind.Null, walked.GetProperty("next").ValueKind); // the cursor goes on past the reach
        using var adminClient = await factory.NewAdminClientAsync();
        var byClient = await adminClient.Api.GetAuditEventsAsync(new AuditQuery { RequestId = many });
        var exactByClient = await adminClient.Api.GetAuditEventsAsync(new AuditQuery { RequestId = few });
        Assert.Equal((PageRequest.Reach, false, true), (byClient.TotalCount, byClient.TotalCountExact, exactByClient.TotalCountExact));
    }

    private static AuthEvent Event(string requestId, DateTime at) =>
        new() { Type = AuthEventTypes.Login, Outcome = "success", OccurredAt = at, RequestId = requestId };

    [Fact]
    public async Task The_openapi_document_shows_the_cursor_parameters()
    {
        var document = await GetAsync(_client, "/openapi/v1.json");

        foreach (var path in new[] { "/api/admin/users", "/api/admin/audit" })
        {
            var parameters = document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters")
                .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Contains("after", parameters);
            Assert.Contains("limit", parameters);
            Assert.Contains("page", parameters);
            Assert.Contains("page_size", parameters);
        }
    }

    private static List<long> Ids(JsonElement page) =>
        page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();

    private static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }
}

public sealed class SqliteCursorPagingTests(SqliteApiFactory factory) : CursorPagingTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresCursorPagingTests(PostgresApiFactory factory) : CursorPagingTests(factory), IClassFixture<PostgresApiFactory>;
