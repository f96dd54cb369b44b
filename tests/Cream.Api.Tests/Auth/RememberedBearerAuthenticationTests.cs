using System.Net;
using System.Security.Claims;
using Cream.Api.Auth;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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
        Assert.True(AnswersRemembered(factory));
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
        Assert.False(AnswersRemembered(transformed));
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

    [Fact]
    public void Bearer_options_that_forward_authentication_or_replace_the_events_turn_the_shortcut_off()
    {
        using var forwarding = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options => options.ForwardAuthenticate = "Other")));
        using var otherEvents = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options => options.Events = new JwtBearerEvents())));

        Assert.False(AnswersRemembered(forwarding));
        Assert.False(AnswersRemembered(otherEvents));
    }

    private static bool AnswersRemembered(WebApplicationFactory<Program> app) => RememberedBearerAuthentication.AnswersRemembered(
        app.Services.GetRequiredService<IAuthenticationSchemeProvider>(), app.Services.GetRequiredService<IClaimsTransformation>(),
        app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme));

    private sealed class SignsEveryoneOut : IClaimsTransformation
    {
        public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal) => Task.FromResult(new ClaimsPrincipal(new ClaimsIdentity()));
    }
}
