using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Cream.Api.Common;

/// <summary>
/// Binds a configuration section to an options class so that every unreadable or
/// out-of-range value stops start-up with one line that names the environment variable and
/// what it expects (<c>Jwt__AccessTokenMinutes must be a whole number from 1 to 1440.</c>),
/// instead of the binder's exception and stack trace.
/// </summary>
public static class Settings
{
    /// <summary>Binds <paramref name="section"/>, checks its data annotations, and validates at start.</summary>
    public static OptionsBuilder<T> BindSettings<T>(this OptionsBuilder<T> options, string section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Configure<IConfiguration>((value, configuration) => Bind(configuration.GetSection(section), value));
        options.Services.AddSingleton<IValidateOptions<T>>(new AnnotationsValidator<T>(section));
        return options.ValidateOnStart();
    }

    /// <summary>The environment variable that sets a configuration key (<c>Jwt:Secret</c> is <c>Jwt__Secret</c>).</summary>
    public static string VariableName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The one line for a start-up failure, or null when it is not a settings failure.</summary>
    public static string? DescribeFailure(Exception exception) => exception switch
    {
        OptionsValidationException invalid => string.Join(" ", invalid.Failures),
        AggregateException many when many.InnerExceptions.All(inner => inner is OptionsValidationException) =>
            string.Join(" ", many.InnerExceptions.Select(DescribeFailure)),
        _ => null,
    };

    private static void Bind<T>(IConfigurationSection section, T value)
        where T : class
    {
        var problems = Unreadable(section, typeof(T)).ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(section.Path, typeof(T), problems);
        }

        try
        {
            section.Bind(value);
        }
        catch (InvalidOperationException exception)
        {
            // Whatever the check above does not foresee still ends as one line.
            throw new OptionsValidationException(section.Path, typeof(T), [exception.Message]);
        }
    }

    /// <summary>Each value in the section that the binder could not convert, described.</summary>
    private static IEnumerable<string> Unreadable(IConfigurationSection section, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var child = section.GetSection(property.Name);
            var propertyType = property.PropertyType;
            if (IsSimple(propertyType))
            {
                if (child.Value is { } text && !CanConvert(text, propertyType))
                {
                    yield return $"{VariableName(child.Path)} must be {Expectation(propertyType, property)}.";
                }
            }
            else if (ElementType(propertyType) is { } element && IsSimple(element))
            {
                foreach (var item in child.GetChildren())
                {
                    if (item.Value is { } text && !CanConvert(text, element))
                    {
                        yield return $"{VariableName(item.Path)} must be {Expectation(element, property: null)}.";
                    }
                }
            }
            else if (propertyType.IsClass && property.CanWrite && child.Exists())
            {
                foreach (var nested in Unreadable(child, propertyType))
                {
                    yield return nested;
                }
            }
        }
    }

    private static bool IsSimple(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal)
            || underlying == typeof(TimeSpan) || underlying == typeof(Uri) || underlying == typeof(Guid)
            || underlying == typeof(DateTimeOffset) || underlying == typeof(DateTime);
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericArguments() is [var single] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? single
        : null;

    /// <summary>The binder's own conversion: the type's converter with the invariant culture.</summary>
    private static bool CanConvert(string text, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && text.Length == 0)
        {
            return true; // an empty value leaves a nullable setting unset
        }

        try
        {
            TypeDescriptor.GetConverter(underlying ?? type).ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            return false;
        }
    }

    private static string Expectation(Type type, PropertyInfo? property)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var range = property?.GetCustomAttribute<RangeAttribute>() is { } attribute
            ? string.Create(CultureInfo.InvariantCulture, $" from {attribute.Minimum} to {attribute.Maximum}")
            : "";
        return underlying switch
        {
            _ when underlying.IsEnum => $"one of {string.Join(", ", Enum.GetNames(underlying))}",
            _ when underlying == typeof(bool) => "true or false",
            _ when underlying == typeof(int) || underlying == typeof(long) || underlying == typeof(short)
                || underlying == typeof(uint) || underlying == typeof(ulong) || underlying == typeof(ushort)
                || underlying == typeof(byte) => "a whole number" + range,
            _ when underlying == typeof(double) || underlying == typeof(float) || underlying == typeof(decimal) => "a number" + range,
            _ when underlying == typeof(TimeSpan) => "a duration such as 00:05:00",
            _ when underlying == typeof(Uri) => "a URL such as https://cream.example.com",
            _ when underlying == typeof(Guid) => "a UUID",
            _ => $"a {underlying.Name} value",
        };
    }

    /// <summary>Data annotations, with each failure naming the environment variable to fix.</summary>
    private sealed class AnnotationsValidator<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            return ValidateOptionsResult.Fail(results.Select(Describe));
        }

        private string Describe(ValidationResult result)
        {
            var member = result.MemberNames.FirstOrDefault() ?? "";
            var variable = VariableName($"{section}:{member}");
            var property = typeof(T).GetProperty(member);
            return property?.GetCustomAttribute<RangeAttribute>() is not null
                ? $"{variable} must be {Expectation(property.PropertyType, property)}."
                : property?.GetCustomAttribute<RequiredAttribute>() is not null
                    ? $"{variable} must not be empty."
                    : $"{variable}: {result.ErrorMessage}";
        }
    }
}
