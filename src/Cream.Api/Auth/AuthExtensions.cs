using Cream.Api.Common;
using Cream.Api.Auth.Accounts;
using Cream.Api.Auth.Dpop;
using Cream.Api.Auth.Grants;
using Cream.Api.Auth.Keys;
using Cream.Api.Auth.Profiles;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Sessions;
using Cream.Api.Auth.Tokens;
using Cream.Api.Auth.TwoFactor;
using Cream.Api.Data;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Cream.Api.Auth;

public static class AuthExtensions
{
    /// <summary>The mark <c>UseAuthentication</c> leaves in the app's properties.</summary>
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var developmentKey = DevelopmentSigningKey.ApplyIfNeeded(builder);
        if (developmentKey is not null)
        {
            builder.Services.AddSingleton(developmentKey);
        }

        builder.Services.AddOptions<JwtOptions>().BindSettings(JwtOptions.SectionName);
        builder.Services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        builder.Services.AddOptions<PasswordOptions>().BindSettings(PasswordOptions.SectionName);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddSigningKeys();
        builder.Services.AddSingleton<AccessTokenKeys>();
        builder.Services.AddSingleton<AccessTokenIssuer>();
        builder.Services.AddSingleton<AccessTokenValidator>();
        builder.Services.AddSingleton<ValidatedTokenCache>();
        builder.Services.AddSingleton<AccessTokenHandler>();
        builder.Services.AddSingleton<AuthMetrics>();
        builder.Services.AddSingleton<AuthEvents>();
        builder.Services.AddSingleton<AccessDeniedAuditThrottle>();
        builder.Services.AddSingleton<PasswordService>();
        builder.Services.AddScoped<SignInService>();
        builder.Services.AddScoped<SessionTokens>();
        builder.Services.AddScoped<RefreshRotation>();
        builder.Services.AddScoped<PasswordReentry>();
        builder.Services.AddScoped<PasswordChanges>();
        builder.Services.AddScoped<AccountDeletion>();
        builder.Services.AddSingleton<AccountMetrics>();
        builder.Services.AddScoped<AccountEvents>();
        builder.Services.AddScoped<AccountLinks>();
        builder.Services.AddScoped<EmailVerifications>();
        builder.Services.AddScoped<PasswordResets>();
        builder.Services.AddScoped<Signups>();
        builder.Services.AddSingleton<PasswordResetRequests>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PasswordResetRequests>());
        // The token endpoint's grants, in the order its error message names them.
        builder.Services.AddScoped<ITokenGrant, PasswordGrant>();
        builder.Services.AddScoped<RefreshTokenGrant>();
        builder.Services.AddScoped<ITokenGrant>(services => services.GetRequiredService<RefreshTokenGrant>());
        builder.Services.AddScoped<MfaOtpGrant>();
        builder.Services.AddScoped<ITokenGrant>(services => services.GetRequiredService<MfaOtpGrant>());
        builder.AddTwoFactor();
        builder.AddDpop();
        builder.AddState();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureBearer>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin)
                .AddRequirements(AdminSecondFactor.Requirement));
        builder.Services.AddSingleton<AdminSecondFactor>();
        builder.Services.AddSingleton<IAuthorizationHandler>(services => services.GetRequiredService<AdminSecondFactor>());
        // The framework registers these as transient: every authorized request built a policy
        // evaluator, an authorization service, its handler provider and a result handler anew. None
        // keeps state between requests, and no authorization handler here is scoped (a test keeps it
        // so), so one of each serves every request, with the same handlers and rules (ADR 23). The
        // evaluator answers a signed-in user's plain RequireAuthorization() without the handlers.
        builder.Services.Replace(ServiceDescriptor.Singleton<IPolicyEvaluator, SignedInPolicyEvaluator>());
        builder.Services.Replace(ServiceDescriptor.Singleton<IAuthorizationMiddlewareResultHandler, AuthorizationMiddlewareResultHandler>());
        return builder;
    }

    /// <summary>
    /// Authentication, for requests that carry an <c>Authorization</c> header only: every scheme
    /// of Cream reads its credentials from that header, so without one the middleware could only
    /// find nothing, after building a handler to look (about 0.9 us a request). An endpoint that
    /// requires a user still challenges through its policy. A token this instance has validated
    /// before is answered in front of the framework's middleware (ADR 23).
    /// </summary>
    public static WebApplication UseAuth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWhen(static context => context.Request.Headers.ContainsKey(HeaderNames.Authorization),
            static credentials => credentials.UseMiddleware<RememberedBearerAuthentication>());
        // Authentication inside a branch does not mark the app; unmarked, WebApplication would put an
        // unconditional one in front of the pipeline (still correct, only slower).
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        app.UseAuthorization();
        return app;
    }

    /// <summary>TOTP two-factor authentication: setup and settings, the login's second step, its events.</summary>
    private static void AddTwoFactor(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TotpCodes>();
        builder.Services.AddSingleton<TwoFactorEvents>();
        builder.Services.AddScoped<SecondFactor>();
        builder.Services.AddScoped<MfaChallengeStore>();
        builder.Services.AddScoped<MfaVerification>();
        builder.Services.AddScoped<TwoFactorEnrolment>();
        builder.Services.AddScoped<TwoFactorSettings>();
    }

    public static WebApplication MapAuth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<DevelopmentSigningKey>() is { } developmentKey)
        {
            Log.DevelopmentSigningKeyInUse(app.Logger, developmentKey.KeyPath);
        }

        app.Services.GetRequiredService<PasswordService>().Warm();
        app.MapAuthEndpoints();
        app.MapSessionEndpoints();
        app.MapTokenEndpoints();
        app.MapTwoFactorEndpoints();
        app.MapDiscovery();
        return app;
    }

    /// <summary>
    /// The key ring: the HS256 secret; or an RS256/ES256 PEM key the operator names (with older
    /// ones for verification); or, with neither, keys kept encrypted in the database.
    /// </summary>
    private static void AddSigningKeys(this IHostApplicationBuilder builder)
    {
        // Data Protection's own keys live in the database too, so every instance can decrypt.
        builder.Services.AddDataProtection().SetApplicationName("cream-api").PersistKeysToDbContext<CreamDbContext>();
        builder.Services.AddScoped<SigningKeyStore>();
        builder.Services.AddSingleton(services => CreateKeyRing(services.GetRequiredService<IOptions<JwtOptions>>().Value));

        var algorithm = builder.Configuration["Jwt:Algorithm"];
        if (algorithm is not null && SigningAlgorithms.IsAsymmetric(algorithm)
            && string.IsNullOrWhiteSpace(builder.Configuration["Jwt:PrivateKeyPath"]))
        {
            builder.Services.AddSingleton<SigningKeySync>();
            builder.Services.AddHostedService(services => services.GetRequiredService<SigningKeySync>());
            builder.Services.AddSingleton<IStateChangeConsumer>(services => services.GetRequiredService<SigningKeySync>());
        }
    }

    private static KeyRing CreateKeyRing(JwtOptions options)
    {
        if (!SigningAlgorithms.IsAsymmetric(options.Algorithm))
        {
            return AccessTokenKeys.SymmetricRing(options);
        }

        if (string.IsNullOrWhiteSpace(options.PrivateKeyPath))
        {
            return new KeyRing(options.Algorithm); // filled from the database at start
        }

        var verification = (options.VerificationKeyPaths ?? []).Select(path => KeyMaterial.LoadPem(options.Algorithm, path));
        return new KeyRing(options.Algorithm, KeyMaterial.LoadPem(options.Algorithm, options.PrivateKeyPath), verification);
    }

    /// <summary>
    /// The in-memory state every instance keeps (revocations, cached profiles, and signing keys
    /// kept in the database), loaded at start, resynced from the database, and changed through
    /// one <see cref="StateBus"/>, carried between instances by Redis when <c>Redis__Configuration</c> is set.
    /// </summary>
    private static void AddState(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RevocationOptions>().BindSettings(RevocationOptions.SectionName);
        builder.Services.AddOptions<RedisOptions>().BindSettings(RedisOptions.SectionName);
        builder.Services.AddSingleton<RevocationList>();
        builder.Services.AddSingleton<IStateChangeConsumer>(services => services.GetRequiredService<RevocationList>());
        builder.Services.AddSingleton<ProfileCache>();
        builder.Services.AddSingleton<IStateChangeConsumer>(services => services.GetRequiredService<ProfileCache>());
        builder.Services.AddSingleton<StateConsumers>();
        builder.Services.AddSingleton<StateBus>();
        builder.Services.AddScoped<Revoker>();
        builder.Services.AddSingleton<RevocationFeed>();
        builder.Services.AddSingleton<RevocationSync>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RevocationSync>());

        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{RedisOptions.SectionName}:Configuration"]))
        {
            builder.Services.AddSingleton<IStateTransport, InProcessStateTransport>();
        }
        else
        {
            builder.Services.AddSingleton<RedisStateTransport>();
            builder.Services.AddSingleton<IStateTransport>(services => services.GetRequiredService<RedisStateTransport>());
            builder.Services.AddHostedService(services => services.GetRequiredService<RedisStateTransport>());
        }
    }

    /// <summary>Points the bearer scheme at our cached parameters and handler, strictly.</summary>
    private sealed class ConfigureBearer(AccessTokenKeys keys, AccessTokenHandler handler) : IConfigureNamedOptions<JwtBearerOptions>
    {
        public void Configure(string? name, JwtBearerOptions options)
        {
            if (name != JwtBearerDefaults.AuthenticationScheme)
            {
                return;
            }

            options.MapInboundClaims = false;
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(handler);
            options.TokenValidationParameters = keys.ValidationParameters;
            options.SaveToken = false;
            options.Events = new BearerChallenge(handler);
        }

        public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);
    }
}
