using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Custos.Tests.Structure;

/// <summary>
/// Every type and member a compiled type uses — in its signatures, attributes and method bodies — read from
/// the assembly's IL, so a use cannot hide in a lambda, an async state machine or a Razor component.
/// Nested and compiler-generated types count as part of their outermost declaring type.
/// </summary>
internal static class TypeUses
{
    public sealed record Use(TypeDefinition From, TypeReference Type, MemberReference? Member);

    public static ModuleDefinition Load(System.Reflection.Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(assembly.Location)!);
        return ModuleDefinition.ReadModule(assembly.Location, new ReaderParameters { AssemblyResolver = resolver, ReadSymbols = false });
    }

    public static TypeDefinition Outermost(TypeDefinition type)
    {
        ArgumentNullException.ThrowIfNull(type);
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    public static IEnumerable<Use> Of(ModuleDefinition module)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var type in module.GetTypes())
        {
            var from = Outermost(type);
            var uses = new List<(TypeReference, MemberReference?)>();
            void AddType(TypeReference? t)
            {
                switch (t)
                {
                    case null:
                        return;
                    case GenericInstanceType generic:
                        AddType(generic.ElementType);
                        foreach (var argument in generic.GenericArguments)
                        {
                            AddType(argument);
                        }

                        return;
                    case TypeSpecification specification:
                        AddType(specification.ElementType);
                        return;
                    case GenericParameter:
                        return;
                    default:
                        uses.Add((t, null));
                        return;
                }
            }

            void AddMember(MemberReference member)
            {
                switch (member)
                {
                    case MethodReference method:
                        AddType(method.DeclaringType);
                        uses.Add((method.DeclaringType is GenericInstanceType g ? g.ElementType : method.DeclaringType, method));
                        AddType(method.ReturnType);
                        foreach (var parameter in method.Parameters)
                        {
                            AddType(parameter.ParameterType);
                        }

                        if (method is GenericInstanceMethod genericMethod)
                        {
                            foreach (var argument in genericMethod.GenericArguments)
                            {
                                AddType(argument);
                            }
                        }

                        break;
                    case FieldReference field:
                        AddType(field.DeclaringType);
                        uses.Add((field.DeclaringType is GenericInstanceType g2 ? g2.ElementType : field.DeclaringType, field));
                        AddType(field.FieldType);
                        break;
                }
            }

            void AddArgument(CustomAttributeArgument argument)
            {
                switch (argument.Value)
                {
                    case TypeReference t: // typeof(X), as in [Layout(typeof(X))]
                        AddType(t);
                        break;
                    case CustomAttributeArgument inner:
                        AddArgument(inner);
                        break;
                    case CustomAttributeArgument[] many:
                        foreach (var item in many)
                        {
                            AddArgument(item);
                        }

                        break;
                }
            }

            void AddAttributes(Mono.Collections.Generic.Collection<CustomAttribute> attributes)
            {
                foreach (var attribute in attributes)
                {
                    AddType(attribute.AttributeType);
                    foreach (var argument in attribute.ConstructorArguments)
                    {
                        AddArgument(argument);
                    }

                    foreach (var named in attribute.Properties.Concat(attribute.Fields))
                    {
                        AddArgument(named.Argument);
                    }
                }
            }

            void AddConstraints(Mono.Collections.Generic.Collection<GenericParameter> parameters)
            {
                foreach (var parameter in parameters)
                {
                    foreach (var constraint in parameter.Constraints)
                    {
                        AddType(constraint.ConstraintType);
                    }
                }
            }

            AddType(type.BaseType);
            foreach (var implemented in type.Interfaces)
            {
                AddType(implemented.InterfaceType);
            }

            AddAttributes(type.CustomAttributes);
            AddConstraints(type.GenericParameters);
            foreach (var field in type.Fields)
            {
                AddType(field.FieldType);
                AddAttributes(field.CustomAttributes);
            }

            foreach (var property in type.Properties)
            {
                AddType(property.PropertyType);
                AddAttributes(property.CustomAttributes);
            }

            foreach (var @event in type.Events)
            {
                AddType(@event.EventType);
                AddAttributes(@event.CustomAttributes);
            }

            foreach (var method in type.Methods)
            {
                AddType(method.ReturnType);
                AddAttributes(method.CustomAttributes);
                AddAttributes(method.MethodReturnType.CustomAttributes);
                AddConstraints(method.GenericParameters);
                foreach (var parameter in method.Parameters)
                {
                    AddType(parameter.ParameterType);
                    AddAttributes(parameter.CustomAttributes);
                }

                if (!method.HasBody)
                {
                    continue;
                }

                foreach (var variable in method.Body.Variables)
                {
                    AddType(variable.VariableType);
                }

                foreach (var handler in method.Body.ExceptionHandlers)
                {
                    AddType(handler.CatchType); // catch (X) with no variable
                }

                foreach (var instruction in method.Body.Instructions)
                {
                    switch (instruction.Operand)
                    {
                        case TypeReference t:
                            AddType(t);
                            break;
                        case MemberReference m:
                            AddMember(m);
                            break;
                    }
                }
            }

            foreach (var (used, member) in uses)
            {
                yield return new Use(from, used, member);
            }
        }
    }
}
