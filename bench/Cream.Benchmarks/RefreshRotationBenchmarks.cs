using BenchmarkDotNet.Attributes;
using Cream.Api.Auth;
using Cream.Api.Auth.Accounts;
using Cream.Api.Auth.Sessions;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Benchmarks;

/// <summary>
/// One refresh-token rotation (<see cref="SessionTokens.RefreshAsync"/>) against a SQLite
/// file migrated with the app's migrations, in a request scope as the endpoint has it: look
/// up the token with its session and user, consume it with one conditional UPDATE, insert the
/// successor, touch the session, issue an access token. Each call rotates the token the
/// previous call returned, so every call is a real first use.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class RefreshRotationBenchmarks
{
    private readonly ClientInfo _client = new("127.0.0.1", "Cream.Benchmarks");
    private string _folder = null!;
    private WebApplication _cream = null!;
    private string _refreshToken = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = CreamHost.NewFolder();
        var database = Path.Combine(_folder, "cream.db");
        _cream = CreamHost.Build(CreamHost.NewSecret(), $"Data Source={database}", _folder);
        _cream.Services.MigrateDatabaseAsync().GetAwaiter().GetResult();

        using var scope = _cream.Services.CreateScope();
        var signups = scope.ServiceProvider.GetRequiredService<Signups>();
        var (outcome, tokens) = signups.SignupAsync(
                new SignupRequest("ada.lovelace@example.com", "correct horse battery staple", "Ada", "Lovelace"), _client, CancellationToken.None)
            .GetAwaiter().GetResult();
        CreamHost.Require(outcome == SignupOutcome.Created && tokens is not null, "the benchmark user signs up");
        _refreshToken = tokens!.RefreshToken;
        var first = _refreshToken;
        CreamHost.Require(Rotate().GetAwaiter().GetResult().Length > 0, "a refresh rotates the token");
        CreamHost.Require(_refreshToken != first, "the rotated token is new");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        CreamHost.DeleteFolder(_folder);
    }

    [Benchmark(Description = "SessionTokens.RefreshAsync on SQLite (rotate the previous token)")]
    public async Task<string> Rotate()
    {
        await using var scope = _cream.Services.CreateAsyncScope();
        var sessions = scope.ServiceProvider.GetRequiredService<SessionTokens>();
        var (tokens, failure) = await sessions.RefreshAsync(_refreshToken, _client, CancellationToken.None);
        _refreshToken = tokens?.RefreshToken ?? throw new InvalidOperationException($"The refresh was refused: {failure?.Reason}");
        return tokens.AccessToken;
    }
}
