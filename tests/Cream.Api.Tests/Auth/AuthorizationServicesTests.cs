using System.Net;
using Cream.Api.Auth;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.Auth;

/// <summary>
/// One policy evaluator and one result handler serve every request (ADR 23): safe only while
/// every authorization handler can be held for the life of the app. The evaluator answers a
/// signed-in user's plain <c>RequireAuthorization()</c> without the handlers, only while no
/// handler could decide otherwise.
/// </summary>
public sealed class AuthorizationServicesTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public void The_evaluator_and_result_handler_are_shared_and_no_authorization_handler_is_scoped()
    {
        IReadOnlyList<ServiceDescriptor> registered = [];
        using var app = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => registered = [.. services]));
        using var first = app.Services.CreateScope();
        using var second = app.Services.CreateScope();

        Assert.Same(first.ServiceProvider.GetRequiredService<IPolicyEvaluator>(), second.ServiceProvider.GetRequiredService<IPolicyEvaluator>());
        Assert.Same(first.ServiceProvider.GetRequiredService<IAuthorizationMiddlewareResultHandler>(),
            second.ServiceProvider.GetRequiredService<IAuthorizationMiddlewareResultHandler>());
        var handlers = registered.Where(d => d.ServiceType == typeof(IAuthorizationHandler)).ToList();
        Assert.NotEmpty(handlers);
        // A scoped handler (one that needs a DbContext, say) would be captured by the shared evaluator.
        Assert.DoesNotContain(handlers, d => d.Lifetime == ServiceLifetime.Scoped);
    }

    [Fact]
    public async Task A_signed_in_user_is_let_through_without_the_handlers_only_while_every_handler_is_a_known_one()
    {
        var evaluator = (SignedInPolicyEvaluator)factory.Services.GetRequiredService<IPolicyEvaluator>();
        Assert.True(evaluator.AnswersSignedInUsers);
        var user = await factory.CreateClient().SignupAsync();

        using var signedIn = await factory.CreateClient(user.AccessToken).GetAsync("/api/auth/me");
        using var anonymous = await factory.CreateClient().GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        // A handler of another kind may fail any policy: with one registered, the handlers decide again.
        using var guarded = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(
            services => services.AddSingleton<IAuthorizationHandler, RefusesEveryone>()));
        Assert.False(((SignedInPolicyEvaluator)guarded.Services.GetRequiredService<IPolicyEvaluator>()).AnswersSignedInUsers);
        using var refused = await guarded.CreateClient(user.AccessToken).GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private sealed class RefusesEveryone : IAuthorizationHandler
    {
        public Task HandleAsync(AuthorizationHandlerContext context)
        {
            context.Fail();
            return Task.CompletedTask;
        }
    }
}
