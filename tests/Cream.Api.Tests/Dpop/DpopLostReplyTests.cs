using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Dpop;

/// <summary>
/// The lost-reply rule through a crash: ten clients each refresh, the service commits the
/// rotation and its reply never reaches them, then the service is killed (SIGKILL) and started
/// again. Retrying well after the 2 s grace window, every DPoP client gets the successor it
/// missed and keeps its session; every bearer client's retry is reuse and ends its session.
/// </summary>
public sealed class DpopLostReplyTests : IDisposable
{
    private const int Clients = 10;
    private readonly TempDirectory _folder = new();

    /// <summary>Twenty signups from one address are more than the default limit allows.</summary>
    private static readonly Dictionary<string, string> Limits = new() { ["RateLimits__SignupsPerIpPerHour"] = "1000" };

    [Fact]
    public async Task After_a_crash_a_dpop_client_retrying_late_keeps_its_session_and_a_bearer_client_loses_it()
    {
        var keys = Enumerable.Range(0, Clients).Select(_ => DpopKey.Es256()).ToList();
        var bound = new List<(string Refresh, string MissedSuccessor)>();
        var bearer = new List<string>();
        var service = ServiceProcess.StartInDevelopment(_folder.Path, Limits);
        try
        {
            var url = await ServiceProcess.WaitForListeningAddressAsync(service);
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            foreach (var key in keys)
            {
                var user = await http.SignupAsync();
                using var login = await http.LoginAsync(user.Email, user.Password, key.Proof("POST", url + DpopApi.Login, DateTimeOffset.UtcNow));
                var tokens = (await login.Content.ReadFromJsonAsync<TokenBody>())!;
                Assert.Equal("DPoP", tokens.TokenType);
                using var lost = await http.RefreshAsync(tokens.RefreshToken, key.Proof("POST", url + DpopApi.Login, DateTimeOffset.UtcNow));
                Assert.Equal(HttpStatusCode.OK, lost.StatusCode);
                bound.Add((tokens.RefreshToken, (await lost.Content.ReadFromJsonAsync<TokenBody>())!.RefreshToken)); // the client never saw this

                var plain = await http.SignupAsync();
                using var lostBearer = await http.RefreshAsync(plain.RefreshToken);
                Assert.Equal(HttpStatusCode.OK, lostBearer.StatusCode);
                bearer.Add(plain.RefreshToken);
            }
        }
        finally
        {
            service.Kill(entireProcessTree: true); // SIGKILL: no shutdown of any kind
            await service.WaitForExitAsync();
            service.Dispose();
        }

        await Task.Delay(TimeSpan.FromSeconds(3)); // past the 2 s grace window on the service's real clock
        using var restarted = ServiceProcess.StartInDevelopment(_folder.Path, Limits);
        try
        {
            var url = await ServiceProcess.WaitForListeningAddressAsync(restarted);
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var kept = 0;
            for (var i = 0; i < Clients; i++)
            {
                using var retry = await http.RefreshAsync(bound[i].Refresh, keys[i].Proof("POST", url + DpopApi.Login, DateTimeOffset.UtcNow));
                if (retry.StatusCode == HttpStatusCode.OK && (await retry.Content.ReadFromJsonAsync<TokenBody>())!.RefreshToken == bound[i].MissedSuccessor)
                {
                    using var next = await http.RefreshAsync(bound[i].MissedSuccessor, keys[i].Proof("POST", url + DpopApi.Login, DateTimeOffset.UtcNow));
                    kept += next.StatusCode == HttpStatusCode.OK ? 1 : 0;
                }
            }

            var lostSessions = 0;
            foreach (var refresh in bearer)
            {
                using var retry = await http.RefreshAsync(refresh);
                lostSessions += retry.StatusCode == HttpStatusCode.Unauthorized ? 1 : 0;
            }

            Assert.Equal(Clients, kept);
            Assert.Equal(Clients, lostSessions);
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
            keys.ForEach(key => key.Dispose());
        }
    }

    public void Dispose() => _folder.Dispose();
}
