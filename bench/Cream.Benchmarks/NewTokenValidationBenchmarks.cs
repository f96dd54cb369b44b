using System.Text;
using BenchmarkDotNet.Attributes;
using Cream.Api.Auth.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Benchmarks;

/// <summary>
/// The same validations as <see cref="TokenValidationBenchmarks"/>, over tokens never seen
/// before: before each iteration Cream's issuer signs <see cref="Batch"/> new tokens (each its
/// own jti and signature), and every invocation validates all of them, so no cache of validated
/// tokens can hide the full cost of a token's first request. Figures are per token.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class NewTokenValidationBenchmarks
{
    private const int Batch = 32_768;

    private readonly string[] _tokens = new string[Batch];
    private readonly string[] _authorizations = new string[Batch];
    private string _folder = null!;
    private WebApplication _cream = null!;
    private AccessTokenIssuer _issuer = null!;
    private AccessTokenHandler _creamHandler = null!;
    private TokenValidationParameters _creamParameters = null!;
    private AccessTokenSubject _subject = null!;
    private FloorJwt _floor = null!;
    private readonly JsonWebTokenHandler _jsonWebTokenHandler = new() { MapInboundClaims = false };
    private TokenValidationParameters _equivalent = null!;

    [GlobalSetup]
    public void Setup()
    {
        var secret = CreamHost.NewSecret();
        _folder = CreamHost.NewFolder();
        _cream = CreamHost.Build(secret, "Data Source=:memory:", _folder);
        var keys = _cream.Services.GetRequiredService<AccessTokenKeys>();
        _issuer = _cream.Services.GetRequiredService<AccessTokenIssuer>();
        _creamHandler = _cream.Services.GetRequiredService<AccessTokenHandler>();
        _creamParameters = keys.ValidationParameters;
        _subject = new AccessTokenSubject(Guid.NewGuid(), "ada.lovelace@example.com", ["admin", "user"], Guid.NewGuid());
        _floor = new FloorJwt(Encoding.UTF8.GetBytes(secret), keys.SigningKey.KeyId, CreamHost.Issuer, CreamHost.Audience, _creamParameters.ClockSkew);
        _equivalent = CreamHost.EquivalentParameters(keys.SigningKey, _creamParameters.ClockSkew);

        // Every row throws unless all the tokens of the batch were accepted.
        IssueNewTokens();
        Floor();
        JsonWebTokenHandlerEquivalent().GetAwaiter().GetResult();
        CreamHandler().GetAwaiter().GetResult();
        CreamAuthenticate().GetAwaiter().GetResult();
        CreamHost.Require(_tokens.Distinct(StringComparer.Ordinal).Count() == Batch, "every token of a batch is new");
    }

    [IterationSetup]
    public void IssueNewTokens()
    {
        for (var i = 0; i < Batch; i++)
        {
            _tokens[i] = _issuer.Issue(_subject).Token;
            _authorizations[i] = "Bearer " + _tokens[i];
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        CreamHost.DeleteFolder(_folder);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "floor, a new token each call")]
    public int Floor()
    {
        var valid = 0;
        foreach (var token in _tokens)
        {
            valid += _floor.Validate(token) ? 1 : 0;
        }

        return AllValid(valid);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "JsonWebTokenHandler.ValidateTokenAsync, a new token each call")]
    public async Task<int> JsonWebTokenHandlerEquivalent()
    {
        var valid = 0;
        foreach (var token in _tokens)
        {
            valid += (await _jsonWebTokenHandler.ValidateTokenAsync(token, _equivalent)).IsValid ? 1 : 0;
        }

        return AllValid(valid);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Cream AccessTokenHandler, a new token each call")]
    public async Task<int> CreamHandler()
    {
        var valid = 0;
        foreach (var token in _tokens)
        {
            valid += (await _creamHandler.ValidateTokenAsync(token, _creamParameters)).IsValid ? 1 : 0;
        }

        return AllValid(valid);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Cream AuthenticateAsync in process, a new token each call")]
    public async Task<int> CreamAuthenticate()
    {
        var valid = 0;
        foreach (var authorization in _authorizations)
        {
            valid += await TokenValidationBenchmarks.AuthenticateAsync(_cream.Services, authorization) ? 1 : 0;
        }

        return AllValid(valid);
    }

    private static int AllValid(int valid) =>
        valid == Batch ? valid : throw new InvalidOperationException($"{Batch - valid} of {Batch} new tokens were refused.");
}
