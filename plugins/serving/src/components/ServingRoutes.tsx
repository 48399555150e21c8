import { Route, Routes } from 'react-router-dom';
import { DeploymentPage } from './deployment/DeploymentPage';
import { ServingPage } from './ServingPage';

/** The serving area's pages under its mount path; paths match the sub-route refs. */
export function ServingRoutes() {
  return (
    <Routes>
      <Route path="/" element={<ServingPage />} />
      <Route path="/deployments/:id" element={<DeploymentPage />} />
    </Routes>
  );
}
