using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cream.Api.Tests.Faults;

/// <summary>
/// The real PostgreSQL going away under the service (on a server of the fault tests' own):
/// what a client gets is its answer or a 503 with <c>Retry-After</c>, never a 500, and the
/// service recovers by itself once the server is back.
/// </summary>
[Collection(PostgresFaultGroup.Name)]
[NeedsTestServers(FaultPostgres.AdminVariable, FaultPostgres.PgCtlVariable)]
public sealed class PostgresRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Unavailable = "The database is unavailable: try again shortly.";
    private PostgresApiFactory _service = null!;

    public async Task InitializeAsync()
    {
        await FaultPostgres.EnsureRunningAsync();
        _service = new PostgresApiFactory { AdminConnectionString = FaultPostgres.AdminConnectionString };
        await _service.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await FaultPostgres.EnsureRunningAsync();
        await ((IAsyncLifetime)_service).DisposeAsync();
    }

    [Fact]
    public async Task A_request_on_a_connection_the_server_terminated_answers_503_with_retry_after()
    {
        using var client = _service.CreateClient();
        var user = await client.SignupAsync();
        await client.LoginAsync(user.Email, user.Password); // the pool now holds open connections

        Assert.True(await FaultPostgres.TerminateBackendsAsync(_service.DatabaseName) > 0);
        using var refresh = await client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refresh.StatusCode);
        Assert.NotNull(refresh.Headers.RetryAfter);
        Assert.Equal(Unavailable, await refresh.DetailAsync());
        var logs = _service.Logs.GetSnapshot();
        Assert.Contains(logs, r => r.Id.Id == 9001); // DatabaseUnavailable
        Assert.DoesNotContain(logs, r => r.Id.Id == 9000); // UnexpectedException

        // The broken connections leave the pool as they are found; then it all works again.
        var recovered = await RetryUntilAsync(() => client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken }), HttpStatusCode.OK);
        Assert.True(recovered, "refresh did not work again within 15 s of the connections being terminated");
    }

    [Fact]
    public async Task Under_load_a_restart_and_a_stop_answer_503_with_retry_after_never_500_and_the_service_recovers()
    {
        var users = new List<TestUser>();
        for (var i = 0; i < 4; i++)
        {
            users.Add(await _service.CreateClient().SignupAsync());
        }

        var reader = await _service.CreateClient().SignupAsync(); // only reads its profile: served from memory throughout
        using (var first = await _service.CreateClient(reader.AccessToken).GetAsync("/api/auth/me"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var answers = new ConcurrentQueue<Answer>();
        var failures = new ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();
        var load = new List<Task>();
        foreach (var user in users)
        {
            load.Add(Loop(failures, RefreshChain(user, answers), stop.Token));
            load.Add(Loop(failures, Requests("login", answers, () => _service.CreateClient().PostLoginFormAsync(user.Email, user.Password)), stop.Token));
        }

        load.Add(Loop(failures, Requests("signup", answers, () => _service.CreateClient().PostSignupAsync(ApiHelpers.NewEmail("fault"))), stop.Token));
        load.Add(Loop(failures, Requests("me", answers, () => _service.CreateClient(reader.AccessToken).GetAsync("/api/auth/me")), stop.Token));
        load.Add(Loop(failures, Requests("ready", answers, () => _service.CreateClient().GetAsync("/health/ready")), stop.Token));

        // Each phase lasts until the load has had that many more answers, whatever the machine's speed.
        var clock = Stopwatch.StartNew();
        await AnswersAsync(answers, more: 150);
        await FaultPostgres.RestartAsync();
        output.WriteLine($"restart done at {clock.Elapsed.TotalSeconds:F1} s");
        await AnswersAsync(answers, more: 300);
        await FaultPostgres.StopAsync();
        output.WriteLine($"stopped at {clock.Elapsed.TotalSeconds:F1} s");
        await AnswersAsync(answers, more: 300);
        await FaultPostgres.StartAsync();
        output.WriteLine($"started at {clock.Elapsed.TotalSeconds:F1} s");
        await AnswersAsync(answers, more: 300);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var all = answers.ToList();
        foreach (var group in all.GroupBy(a => (a.Kind, a.Status)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Status))
        {
            output.WriteLine($"{group.Key.Kind,-8} {(int)group.Key.Status} x {group.Count()}");
        }

        var errors = all.Where(a => a.Status == HttpStatusCode.InternalServerError).ToList();
        output.WriteLine($"{all.Count} answers, {errors.Count} of them 500");
        foreach (var unexpectedError in _service.Logs.GetSnapshot().Where(r => r.Id.Id == 9000).Take(3))
        {
            output.WriteLine($"server: {unexpectedError.Message} {unexpectedError.Exception}");
        }

        Assert.Empty(failures);
        Assert.Empty(errors);
        // Token endpoints: their answer, or 503 with Retry-After and the problem detail saying why. (A
        // login met by the outage counts toward its email's backoff, and the test clock stands
        // still, so some logins end up refused with 429 and Retry-After.)
        var unexpected = all.Where(a => a.Kind != "ready" && !(a.Status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Unauthorized
            || (a.Status == HttpStatusCode.ServiceUnavailable && a.RetryAfter && a.Detail == Unavailable)
            || (a.Status == HttpStatusCode.TooManyRequests && a.RetryAfter && a.Kind == "login"))).ToList();
        Assert.True(unexpected.Count == 0, string.Join("; ", unexpected.Take(5)));
        Assert.All(all.Where(a => a.Kind == "ready"), a => Assert.Contains(a.Status, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(all, a => a.Status == HttpStatusCode.ServiceUnavailable && a.Kind != "ready"); // the outage was met
        Assert.All(all.Where(a => a.Kind == "me"), a => Assert.Equal(HttpStatusCode.OK, a.Status)); // tokens need no database

        // After the restart everything works again, without restarting the service.
        using var client = _service.CreateClient();
        var email = ApiHelpers.NewEmail("after");
        Assert.True(await RetryUntilAsync(() => client.PostSignupAsync(email), HttpStatusCode.Created), "signup did not recover");
        var login = await client.LoginAsync(email);
        using var refreshed = await client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = login.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private sealed record Answer(string Kind, HttpStatusCode Status, bool RetryAfter, string? Detail);

    private static async Task<Answer> ReadAsync(string kind, HttpResponseMessage response)
    {
        string? detail = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            var body = await response.JsonAsync();
            detail = body.TryGetProperty("detail", out var value) ? value.GetString() : null;
        }

        return new Answer(kind, response.StatusCode, response.Headers.RetryAfter is not null, detail);
    }

    private static Func<Task> Requests(string kind, ConcurrentQueue<Answer> answers, Func<Task<HttpResponseMessage>> send) =>
        async () =>
        {
            using var response = await send();
            answers.Enqueue(await ReadAsync(kind, response));
        };

    /// <summary>Refreshes one session over and over; a session lost to the outage is replaced by a new login.</summary>
    private Func<Task> RefreshChain(TestUser user, ConcurrentQueue<Answer> answers)
    {
        var token = user.RefreshToken;
        return async () =>
        {
            using var client = _service.CreateClient();
            using var response = await client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = token });
            answers.Enqueue(await ReadAsync("refresh", response));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                token = (await response.Content.ReadFromJsonAsync<TokenBody>())!.RefreshToken;
            }
            else if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                using var login = await client.PostLoginFormAsync(user.Email, user.Password);
                answers.Enqueue(await ReadAsync("login", login));
                if (login.StatusCode == HttpStatusCode.OK)
                {
                    token = (await login.Content.ReadFromJsonAsync<TokenBody>())!.RefreshToken;
                }
            }
        };
    }

    private static async Task Loop(ConcurrentQueue<Exception> failures, Func<Task> step, CancellationToken stop)
    {
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await step();
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or InvalidOperationException)
            {
                failures.Enqueue(exception);
            }

            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>Waits until the load has answered <paramref name="more"/> more requests (a minute at most).</summary>
    private static async Task AnswersAsync(ConcurrentQueue<Answer> answers, int more)
    {
        var target = answers.Count + more;
        Assert.NotNull(await Cream.Api.Tests.ScaleOut.TwoInstances.WaitUntilAsync(() => Task.FromResult(answers.Count >= target), TimeSpan.FromMinutes(1)));
    }

    private static async Task<bool> RetryUntilAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode wanted)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            using var response = await send();
            if (response.StatusCode == wanted)
            {
                return true;
            }

            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
            await Task.Delay(100);
        }

        return false;
    }
}
