using System.Net;
using System.Security.Claims;
using Cream.Api.Auth;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.Auth;

/// <summary>
/// A bearer token this instance validated before is answered in front of the framework's
/// authentication middleware (ADR 23), only while nothing could make the framework answer otherwise.
/// </summary>
public sealed class RememberedBearerAuthenticationTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public async Task A_remembered_token_is_answered_and_stops_being_answered_once_its_session_ends()
    {
        Assert.True(RememberedBearerAuthentication.AnswersRemembered(
            factory.Services.GetRequiredService<IAuthenticationSchemeProvider>(), factory.Services.GetRequiredService<IClaimsTransformation>()));
        var user = await factory.CreateClient().SignupAsync();
        var client = factory.CreateClient(user.AccessToken);

        for (var i = 0; i < 3; i++)
        {
            using var me = await client.GetAsync("/api/auth/me");
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using var logout = await client.PostAsync("/api/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var after = await client.GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("invalid_token", after.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_claims_transformation_registered_every_token_takes_the_framework_path()
    {
        using var transformed = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(
            services => services.AddSingleton<IClaimsTransformation, SignsEveryoneOut>()));
        Assert.False(RememberedBearerAuthentication.AnswersRemembered(
            transformed.Services.GetRequiredService<IAuthenticationSchemeProvider>(), transformed.Services.GetRequiredService<IClaimsTransformation>()));
        var user = await transformed.CreateClient().SignupAsync();
        var client = transformed.CreateClient(user.AccessToken);

        // Asked twice, so the second is a token this instance remembers: the transformation still
        // applies (the token authenticated, the transformed user is nobody: forbidden, not 200).
        for (var i = 0; i < 2; i++)
        {
            using var me = await client.GetAsync("/api/auth/me");
            Assert.Equal(HttpStatusCode.Forbidden, me.StatusCode);
        }
    }

    private sealed class SignsEveryoneOut : IClaimsTransformation
    {
        public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal) => Task.FromResult(new ClaimsPrincipal(new ClaimsIdentity()));
    }
}
