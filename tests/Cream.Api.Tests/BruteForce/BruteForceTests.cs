using System.Net;
using System.Net.Http.Json;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Users;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Cream.Api.Tests.BruteForce;

/// <summary>
/// One deployment for a class of tests: <see cref="Service"/> with the suite's settings (no
/// per-address limit worth the name, 5 free failures per email) and <see cref="Limited"/>,
/// a second host on the same database and clock with <see cref="BruteForceApi.PerIpPerMinute"/>
/// attempts per address, which tests choose per request.
/// </summary>
public abstract class BruteForceService<TFactory> : IAsyncLifetime where TFactory : CreamApiFactory, new()
{
    public TFactory Service { get; } = new();

    public WebApplicationFactory<Program> Limited { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(Service))
        {
            return;
        }

        await Service.InitializeAsync();
        Limited = Service.WithLowAddressLimit();
        _ = Limited.Server;
    }

    public async Task DisposeAsync()
    {
        if (TestServers.SkippedHere(Service))
        {
            return;
        }

        await Limited.DisposeAsync();
        await ((IAsyncLifetime)Service).DisposeAsync();
    }
}

public sealed class SqliteBruteForceService : BruteForceService<SqliteApiFactory>;

[NeedsTestServers(TestServers.PostgresVariable)]
public sealed class PostgresBruteForceService : BruteForceService<PostgresApiFactory>;

/// <summary>
/// Brute-force defence of login and refresh, through HTTP: the per-address window, the
/// per-email backoff, and that neither reveals an account, checks a password or stores anything.
/// The clock is the service's <c>FakeTimeProvider</c>; nothing sleeps.
/// </summary>
public abstract class BruteForceTests(CreamApiFactory service, WebApplicationFactory<Program> limited)
{
    private const int FreeFailures = 5;
    private readonly HttpClient _client = service.CreateClient();

    [Fact]
    public async Task Too_many_attempts_from_one_address_get_429_with_retry_after_until_the_minute_is_over()
    {
        var address = BruteForceApi.NewAddress();
        using var client = limited.ClientFrom(address);
        for (var attempt = 0; attempt < BruteForceApi.PerIpPerMinute; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(client.PostLoginFormAsync(ApiHelpers.NewEmail(), BruteForceApi.WrongPassword)));
        }

        using var refused = await client.PostLoginFormAsync(ApiHelpers.NewEmail(), BruteForceApi.WrongPassword);

        var wait = await BruteForceApi.AssertTooManyAttemptsAsync(refused);
        Assert.InRange(wait, 1, 60);
        using var otherClient = limited.ClientFrom(BruteForceApi.NewAddress());
        Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(otherClient.PostLoginFormAsync(ApiHelpers.NewEmail(), BruteForceApi.WrongPassword)));
        service.Time.Advance(TimeSpan.FromSeconds(wait - 1));
        using var stillRefused = await client.PostLoginFormAsync(ApiHelpers.NewEmail(), BruteForceApi.WrongPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillRefused.StatusCode);
        service.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(client.PostLoginFormAsync(ApiHelpers.NewEmail(), BruteForceApi.WrongPassword)));
    }

    [Fact]
    public async Task Logins_refreshes_and_the_refresh_grant_share_one_budget_per_address_successes_included()
    {
        var user = await _client.SignupAsync();
        using var client = limited.ClientFrom(BruteForceApi.NewAddress());

        Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(client.PostLoginFormAsync(ApiHelpers.NewEmail(), BruteForceApi.WrongPassword)));
        Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(client.PostLoginJsonAsync(ApiHelpers.NewEmail(), BruteForceApi.WrongPassword)));
        Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(client.PostRefreshAsync("not-a-refresh-token")));
        Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(client.PostRefreshGrantAsync("not-a-refresh-token")));
        Assert.Equal(HttpStatusCode.OK, await BruteForceApi.StatusOfAsync(client.PostLoginFormAsync(user.Email, user.Password)));

        using var refresh = await client.PostRefreshAsync(user.RefreshToken);
        using var grant = await client.PostRefreshGrantAsync(user.RefreshToken);
        using var login = await client.PostLoginFormAsync(user.Email, user.Password);

        await BruteForceApi.AssertTooManyAttemptsAsync(refresh);
        await BruteForceApi.AssertTooManyAttemptsAsync(grant);
        await BruteForceApi.AssertTooManyAttemptsAsync(login);
    }

    [Fact]
    public async Task A_refresh_refused_by_the_address_limit_rotates_nothing_and_the_token_works_after_the_window()
    {
        var user = await _client.SignupAsync();
        using var client = limited.ClientFrom(BruteForceApi.NewAddress());
        for (var attempt = 0; attempt < BruteForceApi.PerIpPerMinute; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(client.PostRefreshAsync("guess-" + attempt)));
        }

        var before = await service.StoredStateAsync(user.Email);

        using var refused = await client.PostRefreshAsync(user.RefreshToken);

        var wait = await BruteForceApi.AssertTooManyAttemptsAsync(refused);
        Assert.Equal(before, await service.StoredStateAsync(user.Email));
        service.Time.Advance(TimeSpan.FromSeconds(wait));
        Assert.Equal(HttpStatusCode.OK, await BruteForceApi.StatusOfAsync(client.PostRefreshAsync(user.RefreshToken)));
    }

    [Fact]
    public async Task Addresses_in_one_ipv6_64_share_a_budget()
    {
        var first = IPAddress.Parse(BruteForceApi.NewAddress()).GetAddressBytes()[..8];
        string InSameSlash64(int host) => new IPAddress([.. first, 0, 0, 0, 0, 0, 0, 0, (byte)host]).ToString();

        for (var attempt = 0; attempt < BruteForceApi.PerIpPerMinute; attempt++)
        {
            using var client = limited.ClientFrom(InSameSlash64(attempt + 1));
            Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(client.PostRefreshAsync("guess")));
        }

        using var sameNetwork = limited.ClientFrom(InSameSlash64(200));
        using var refused = await sameNetwork.PostRefreshAsync("guess");

        await BruteForceApi.AssertTooManyAttemptsAsync(refused);
        using var nextNetwork = limited.ClientFrom(new IPAddress([.. first[..7], (byte)(first[7] ^ 1), 0, 0, 0, 0, 0, 0, 0, 1]).ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(nextNetwork.PostRefreshAsync("guess")));
    }

    [Fact]
    public async Task After_five_failures_an_email_backs_off_one_second_then_twice_as_long_after_each_failure()
    {
        var user = await _client.SignupAsync();
        await _client.FailLoginsAsync(user.Email, FreeFailures);

        foreach (var expected in new[] { 1, 2, 4, 8 })
        {
            using var refused = await _client.PostLoginFormAsync(user.Email, BruteForceApi.WrongPassword);
            Assert.Equal(expected, await BruteForceApi.AssertTooManyAttemptsAsync(refused));
            service.Time.Advance(TimeSpan.FromSeconds(expected) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(HttpStatusCode.TooManyRequests, await BruteForceApi.StatusOfAsync(_client.PostLoginFormAsync(user.Email, BruteForceApi.WrongPassword)));
            service.Time.Advance(TimeSpan.FromMilliseconds(1));
            await _client.FailLoginsAsync(user.Email, 1); // checked (and wrong) again: the backoff doubles
        }
    }

    [Fact]
    public async Task Wrong_current_passwords_on_change_password_back_off_like_failed_logins()
    {
        var user = await _client.SignupAsync();
        using var owner = service.CreateClient(user.AccessToken);
        var answers = new List<HttpStatusCode>();
        for (var guess = 0; guess < 40; guess++)
        {
            using var wrong = await owner.PostAsJsonAsync("/api/auth/change-password",
                new { current_password = $"guess number {guess}", new_password = "a brand new passphrase" });
            answers.Add(wrong.StatusCode);
        }

        // Five answered, then every guess waits: a stolen access token is no oracle for the password.
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.BadRequest, FreeFailures), answers.Take(FreeFailures));
        Assert.All(answers.Skip(FreeFailures), status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
        using var right = await owner.PostAsJsonAsync("/api/auth/change-password",
            new { current_password = user.Password, new_password = "a brand new passphrase" });
        Assert.Equal(1, await BruteForceApi.AssertTooManyAttemptsAsync(right)); // even the right one, until the wait is over
        using var login = await _client.PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode); // one backoff for every check of this password

        service.Time.Advance(TimeSpan.FromSeconds(1));
        using var changed = await owner.PostAsJsonAsync("/api/auth/change-password",
            new { current_password = user.Password, new_password = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        await _client.LoginAsync(user.Email, "a brand new passphrase"); // the streak ended with the right password
    }

    [Fact]
    public async Task Failed_logins_make_change_password_wait_too()
    {
        var user = await _client.SignupAsync();
        await _client.FailLoginsAsync(user.Email, FreeFailures);

        using var change = await service.CreateClient(user.AccessToken).PostAsJsonAsync("/api/auth/change-password",
            new { current_password = user.Password, new_password = "a brand new passphrase" });

        Assert.Equal(1, await BruteForceApi.AssertTooManyAttemptsAsync(change));
    }

    [Fact]
    public async Task Signups_from_one_address_are_limited_per_hour_taken_emails_included_and_refused_ones_store_nothing()
    {
        await using var limitedSignups = service.WithWebHostBuilder(builder => builder.UseSetting("RateLimits:SignupsPerIpPerHour", "3"));
        var client = limitedSignups.CreateClient();
        var taken = await _client.SignupAsync();

        using var first = await client.PostSignupAsync(ApiHelpers.NewEmail("limited"));
        using var probe = await client.PostSignupAsync(taken.Email); // probing a registered email counts too
        using var third = await client.PostSignupAsync(ApiHelpers.NewEmail("limited"));
        var refusedEmail = ApiHelpers.NewEmail("limited");
        using var fourth = await client.PostSignupAsync(refusedEmail);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, probe.StatusCode);
        Assert.Equal("Email already registered", await probe.DetailAsync());
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        var retryAfter = await BruteForceApi.AssertTooManyAttemptsAsync(fourth);
        Assert.InRange(retryAfter, 1, 3600);
        var normalized = Cream.Api.Users.EmailAddress.Key(refusedEmail);
        Assert.False(await service.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Users, u => u.NormalizedEmail == normalized)));

        service.Time.Advance(TimeSpan.FromSeconds(retryAfter));
        using var nextHour = await client.PostSignupAsync(refusedEmail);
        Assert.Equal(HttpStatusCode.Created, nextHour.StatusCode);
    }

    [Fact]
    public async Task The_backoff_stops_growing_at_fifteen_minutes()
    {
        var email = ApiHelpers.NewEmail("capped");
        await _client.FailLoginsAsync(email, FreeFailures);
        var waits = new List<int>();
        for (var round = 0; round < 12; round++)
        {
            using var refused = await _client.PostLoginFormAsync(email, BruteForceApi.WrongPassword);
            waits.Add(await BruteForceApi.AssertTooManyAttemptsAsync(refused));
            service.Time.Advance(TimeSpan.FromSeconds(waits[^1]));
            await _client.FailLoginsAsync(email, 1);
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900], waits);
    }

    [Fact]
    public async Task The_correct_password_is_refused_while_backing_off_stores_nothing_then_works_and_ends_the_streak()
    {
        var user = await _client.SignupAsync();
        await _client.FailLoginsAsync(user.Email, FreeFailures);
        var before = await service.StoredStateAsync(user.Email);

        using var refused = await _client.PostLoginFormAsync(user.Email, user.Password);

        Assert.Equal(1, await BruteForceApi.AssertTooManyAttemptsAsync(refused));
        Assert.Equal(before, await service.StoredStateAsync(user.Email));
        service.Time.Advance(TimeSpan.FromSeconds(1));
        await _client.LoginAsync(user.Email, user.Password);
        await _client.FailLoginsAsync(user.Email, FreeFailures); // a fresh streak: five free failures again
        using var again = await _client.PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(1, await BruteForceApi.AssertTooManyAttemptsAsync(again));
    }

    [Fact]
    public async Task A_backing_off_known_account_and_a_backing_off_unknown_email_get_identical_answers()
    {
        var known = await _client.SignupAsync();
        var unknown = ApiHelpers.NewEmail("nobody");
        await _client.FailLoginsAsync(known.Email, FreeFailures);
        await _client.FailLoginsAsync(unknown, FreeFailures);

        using var knownAnswer = await _client.PostLoginFormAsync(known.Email, known.Password);
        using var unknownAnswer = await _client.PostLoginFormAsync(unknown, "some other password");

        Assert.Equal(HttpStatusCode.TooManyRequests, knownAnswer.StatusCode);
        Assert.Equal(await BruteForceApi.VisibleAnswerAsync(knownAnswer), await BruteForceApi.VisibleAnswerAsync(unknownAnswer));
    }

    [Fact]
    public async Task Case_spaces_and_body_format_of_the_email_all_count_for_one_account()
    {
        var email = ApiHelpers.NewEmail("variants");

        foreach (var variant in new[] { email, email.ToUpperInvariant(), $"  {email}  " })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(_client.PostLoginFormAsync(variant, BruteForceApi.WrongPassword)));
        }

        foreach (var variant in new[] { email.ToUpperInvariant(), $" {email}" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(_client.PostLoginJsonAsync(variant, BruteForceApi.WrongPassword)));
        }

        using var refused = await _client.PostLoginJsonAsync(email, BruteForceApi.WrongPassword);
        await BruteForceApi.AssertTooManyAttemptsAsync(refused);
    }

    [Fact]
    public async Task The_backoff_holds_whatever_address_the_guesses_come_from()
    {
        var user = await _client.SignupAsync();
        for (var attempt = 0; attempt < FreeFailures; attempt++)
        {
            using var client = limited.ClientFrom(BruteForceApi.NewAddress());
            await client.FailLoginsAsync(user.Email, 1);
        }

        using var fresh = limited.ClientFrom(BruteForceApi.NewAddress());
        using var refused = await fresh.PostLoginFormAsync(user.Email, user.Password);

        await BruteForceApi.AssertTooManyAttemptsAsync(refused);
    }

    [Fact]
    public async Task Parallel_guesses_get_five_password_checks_and_429_for_the_rest()
    {
        var user = await _client.SignupAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            BruteForceApi.StatusOfAsync(_client.PostLoginFormAsync(user.Email, BruteForceApi.WrongPassword))));

        Assert.Equal(FreeFailures, statuses.Count(status => status == HttpStatusCode.Unauthorized));
        Assert.Equal(20 - FreeFailures, statuses.Count(status => status == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task A_refused_login_checks_no_password_and_logs_a_hash_prefix_never_the_email()
    {
        var user = await _client.SignupAsync(password: "backoff-secret-password");
        await _client.FailLoginsAsync(user.Email, FreeFailures);
        service.Logs.Clear();

        using var refused = await _client.PostLoginFormAsync(user.Email, user.Password);

        await BruteForceApi.AssertTooManyAttemptsAsync(refused);
        var records = service.Logs.GetSnapshot();
        Assert.DoesNotContain(records, r => r.Id.Name is "LoginFailed" or "LoginSucceeded"); // the sign-in never ran
        var lockout = Assert.Single(records, r => r.Id.Id == 1101);
        Assert.Equal("LoginBackingOff", lockout.Id.Name);
        Assert.Equal(LogLevel.Warning, lockout.Level);
        var hash = BruteForceGuard.AccountKey(user.Email);
        Assert.Contains(lockout.StructuredState!, pair => pair.Key == "AccountHash" && pair.Value == hash[..12]);
        foreach (var record in records)
        {
            var text = string.Join(" | ", new[] { record.Message }.Concat(record.StructuredState?.Select(pair => $"{pair.Key}={pair.Value}") ?? []));
            Assert.DoesNotContain(user.Email.Split('@')[0], text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(user.Password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(hash, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_first_refusal_of_an_address_in_a_window_is_logged_once()
    {
        var address = BruteForceApi.NewAddress();
        using var client = limited.ClientFrom(address);
        var logs = limited.Services.GetFakeLogCollector();
        for (var attempt = 0; attempt < BruteForceApi.PerIpPerMinute + 3; attempt++)
        {
            using var response = await client.PostRefreshAsync("guess");
        }

        var partition = BruteForceGuard.ClientPartition(IPAddress.Parse(address));
        var limitedRecords = logs.GetSnapshot().Where(r => r.Id.Id == 1100 && r.Message.Contains(partition, StringComparison.Ordinal)).ToList();
        var record = Assert.Single(limitedRecords);
        Assert.Equal("ClientAttemptsLimited", record.Id.Name);
        Assert.Equal(LogLevel.Warning, record.Level);
    }
}

public sealed class SqliteBruteForceTests(SqliteBruteForceService fixture)
    : BruteForceTests(fixture.Service, fixture.Limited), IClassFixture<SqliteBruteForceService>;

public sealed class PostgresBruteForceTests(PostgresBruteForceService fixture)
    : BruteForceTests(fixture.Service, fixture.Limited), IClassFixture<PostgresBruteForceService>;
