import { ApiErrors, CurrentPrincipal, ForRoles, Principal } from '@loyalty/platform';
import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { INVALID_INPUT } from '../shoppers/shopper-errors';
import { StoreDetailsDto, StoreDto, StoreParamsDto, StoresDto } from './store.dto';
import { StoresService } from './stores.service';

/** The store register: names and regions, for the reports. */
@ApiTags('stores')
@Controller('v1/stores')
export class StoresController {
  constructor(private readonly stores: StoresService) {}

  @Put(':storeId')
  @ForRoles('admin')
  @ApiOperation({
    summary:
      'Register a store or change its name and region (audited); the same details again change nothing',
  })
  @ApiOkResponse({ type: StoreDto })
  @ApiErrors(INVALID_INPUT)
  put(
    @CurrentPrincipal() admin: Principal,
    @Param() params: StoreParamsDto,
    @Body() details: StoreDetailsDto,
  ): Promise<StoreDto> {
    return this.stores.put(admin, params.storeId, details);
  }

  @Get()
  @ForRoles('marketer', 'admin')
  @ApiOperation({ summary: 'Every registered store with its region' })
  @ApiOkResponse({ type: StoresDto })
  async list(): Promise<StoresDto> {
    return { stores: await this.stores.list() };
  }
}
