import { JsonValue } from '@backstage/types';
import { HyperparameterSchema } from '@internal/backstage-plugin-experiments-common';
import Form from '@rjsf/material-ui';
import { ErrorSchema, RJSFSchema } from '@rjsf/utils';
import {
  hyperparameterValidator,
  transformHyperparameterErrors,
} from './hyperparameterValidation';

/**
 * The template's hyperparameters as a form generated from its JSON Schema: titles as labels,
 * descriptions as help, defaults prefilled, types and ranges checked while typing.
 */
export function HyperparameterForm(props: {
  schema: HyperparameterSchema;
  values: Record<string, JsonValue>;
  onChange: (values: Record<string, JsonValue>) => void;
  serverErrors?: ErrorSchema;
  disabled?: boolean;
}) {
  return (
    <Form
      schema={props.schema as RJSFSchema}
      formData={props.values}
      onChange={event => props.onChange(event.formData ?? {})}
      validator={hyperparameterValidator}
      transformErrors={transformHyperparameterErrors}
      extraErrors={props.serverErrors}
      disabled={props.disabled}
      liveValidate
      showErrorList={false}
      noHtml5Validate
      tagName="div"
    >
      {/* the page's own button submits; rjsf's is not shown */}
      <></>
    </Form>
  );
}
