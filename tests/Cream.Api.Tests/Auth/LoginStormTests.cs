using System.Net;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Auth;

/// <summary>Password hashing has bounded concurrency: a login storm is shed with 503 and never starves token validation.</summary>
public sealed class LoginStormTests
{
    [Fact]
    public async Task Logins_beyond_the_hashing_slots_get_503_while_tokens_keep_validating()
    {
        await using var service = new SqliteApiFactory
        {
            Settings = new Dictionary<string, string?>
            {
                ["Passwords:Iterations"] = "1000000", // about half a second per hash: the storm overlaps
                ["Passwords:MaxConcurrentHashes"] = "1",
                ["Passwords:HashQueueSeconds"] = "0",
            },
        };
        await service.InitializeAsync();
        // Hashing blocks a pool thread; a cold pool of two threads would run the storm one
        // login after another (it did whenever this test ran alone) instead of at once.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), completionPorts);
        var user = await service.CreateClient().SignupAsync();
        using var authenticated = service.CreateClient(user.AccessToken);

        // Four at once: under the per-account backoff threshold, over the single hashing slot.
        var storm = Enumerable.Range(0, 4).Select(_ => service.CreateClient().PostLoginFormAsync(user.Email, user.Password)).ToList();
        using var meDuringStorm = await authenticated.GetAsync("/api/auth/me");
        var answers = await Task.WhenAll(storm);

        Assert.Equal(HttpStatusCode.OK, meDuringStorm.StatusCode);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        var shed = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(shed);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Equal("Too many sign-ins at once: try again shortly.", await shed[0].DetailAsync());
        Assert.Equal(TimeSpan.FromSeconds(1), shed[0].Headers.RetryAfter?.Delta);
    }
}
