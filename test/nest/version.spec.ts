import * as common from '@nestjs/common';

declare const EXPECTED_NEST_MAJOR: number;

describe('the Nest major this project runs against', () => {
  it(`is NestJS ${EXPECTED_NEST_MAJOR}`, () => {
    // StandardSchemaValidationPipe is new in NestJS 12
    expect('StandardSchemaValidationPipe' in common ? 12 : 11).toBe(EXPECTED_NEST_MAJOR);
  });
});
