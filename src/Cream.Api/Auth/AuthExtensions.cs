using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth;

public static class AuthExtensions
{
    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var developmentKey = DevelopmentSigningKey.ApplyIfNeeded(builder);
        if (developmentKey is not null)
        {
            builder.Services.AddSingleton(developmentKey);
        }

        builder.Services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        builder.Services.AddOptions<PasswordOptions>().BindConfiguration(PasswordOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AccessTokenKeys>();
        builder.Services.AddSingleton<AccessTokenIssuer>();
        builder.Services.AddSingleton<PasswordService>();
        builder.Services.AddScoped<SignInService>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureBearer>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        return builder;
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
        return app;
    }

    /// <summary>Points the bearer scheme at our cached parameters and handler, strictly.</summary>
    private sealed class ConfigureBearer(AccessTokenKeys keys) : IConfigureNamedOptions<JwtBearerOptions>
    {
        public void Configure(string? name, JwtBearerOptions options)
        {
            if (name != JwtBearerDefaults.AuthenticationScheme)
            {
                return;
            }

            options.MapInboundClaims = false;
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new AccessTokenHandler());
            options.TokenValidationParameters = keys.ValidationParameters;
            options.SaveToken = false;
            options.Events = new BearerChallenge();
        }

        public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);
    }
}
